-- Run once by the postgres image on an empty data directory: one database per service
-- (the gateway's holds the integration feed and webhooks). Each applies its own migrations at start-up.
CREATE DATABASE dealerflow_gateway;
CREATE DATABASE dealerflow_booking;
CREATE DATABASE dealerflow_reception;
CREATE DATABASE dealerflow_workshop;
CREATE DATABASE dealerflow_parts;
CREATE DATABASE dealerflow_followup;
CREATE DATABASE dealerflow_complaints;
CREATE DATABASE dealerflow_catalogue;
CREATE DATABASE dealerflow_billing;
CREATE DATABASE dealerflow_desk;
CREATE DATABASE dealerflow_notifications;
