"""What a sentence reports at a place: ACLED event type, casualties, date, from the word lists in lexicons/."""
