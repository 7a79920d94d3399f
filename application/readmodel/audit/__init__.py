"""Looking back: the annual review, award explanations, decision re-checks and as-of reads,
each replaying or reading the stored log itself."""
