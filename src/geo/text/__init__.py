"""Text as geo reads it: length-preserving normalisation, spelling variants, sentences."""
