"""What lessons use besides the world and the phone: self-checks, diagrams, handouts, records."""
