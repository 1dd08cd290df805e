"""Money without cash: banks and e-wallets (fake money only), bills, VietQR payloads and their
pictures."""
