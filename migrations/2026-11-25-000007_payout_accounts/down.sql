DROP TABLE payout_accounts;
