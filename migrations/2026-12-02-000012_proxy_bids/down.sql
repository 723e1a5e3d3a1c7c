DROP TABLE proxy_bids;
