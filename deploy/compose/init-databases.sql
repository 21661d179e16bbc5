-- One database per service, as in a real region.
CREATE DATABASE tb_exchange;
CREATE DATABASE tb_intake;
CREATE DATABASE tb_review;
CREATE DATABASE tb_certificate;
CREATE DATABASE tb_logistics;
