"""County → town/street → village/community, each with its 12-digit area code."""
