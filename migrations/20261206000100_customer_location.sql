-- Where a customer is (issue 15: the map): WGS 84 decimal degrees, both or
-- neither, like routers, OLTs and ODPs.
ALTER TABLE customers ADD COLUMN latitude REAL;
ALTER TABLE customers ADD COLUMN longitude REAL;
