DROP TABLE import_ledger;
