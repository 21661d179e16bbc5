-- One database per service and one for the console, as in a real region.
CREATE DATABASE tb_exchange;
CREATE DATABASE tb_intake;
CREATE DATABASE tb_review;
CREATE DATABASE tb_certificate;
CREATE DATABASE tb_logistics;
CREATE DATABASE tb_console;
