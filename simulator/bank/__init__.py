"""Question banks: the data model, loading and validation, selection and importing."""
