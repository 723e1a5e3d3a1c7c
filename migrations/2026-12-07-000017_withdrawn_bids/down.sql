DROP TABLE withdrawn_bids;
