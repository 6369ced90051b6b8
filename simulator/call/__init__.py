"""Role-play calls: the scenario (a simulated customer), the loop, the branches it takes on
what the trainee says, and the phone-manner scorecard."""
