"""The member registry of a site: organisations, offers, support statements and case studies."""
