"""SoPro Federation: service sites for social production and the agency's hub."""
