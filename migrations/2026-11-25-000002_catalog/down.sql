DROP TABLE bids;
DROP TABLE auctions;
DROP TABLE listings;
DROP TABLE product_images;
DROP TABLE products;
