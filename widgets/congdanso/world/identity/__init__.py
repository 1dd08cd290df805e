"""Identity: VNeID and the ward police desk, the 12-digit ID number, mobile numbers and the
carrier's shop, the SMS inbox, one-time passwords and attempt limits."""
