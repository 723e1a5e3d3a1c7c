DROP TABLE install;
