DROP TABLE two_factor_challenges;
DROP TABLE two_factor_recovery_codes;
DROP TABLE two_factor;
