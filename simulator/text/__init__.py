"""Text forms for comparison: Mandarin normalisation, English folding, error rates."""
