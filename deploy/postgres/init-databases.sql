-- Run once by the postgres image on an empty data directory (/docker-entrypoint-initdb.d/).
-- One database per site and one for the hub, each owned by its own login role, and closed to
-- every other role: a site's process can reach only its own database (DESIGN.md §1: each site owns
-- its data). The services create their tables themselves with Alembic (`sopro db upgrade`, or
-- `sopro serve` on start).
--
-- DEVELOPMENT PASSWORDS: they match deploy/env/<site>.env and are placeholders for a local
-- docker-compose run. Replace both before anything reachable from a network (deploy/README.md).
-- Adding a site: add its three statements here (or run them by hand on an existing cluster,
-- since this file runs only on first initialisation).

CREATE ROLE sopro_at11 LOGIN PASSWORD 'dev-only-at11-db-CHANGE-ME';
CREATE DATABASE sopro_at11 OWNER sopro_at11 ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE sopro_at11 FROM PUBLIC;

CREATE ROLE sopro_at12 LOGIN PASSWORD 'dev-only-at12-db-CHANGE-ME';
CREATE DATABASE sopro_at12 OWNER sopro_at12 ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE sopro_at12 FROM PUBLIC;

CREATE ROLE sopro_at13 LOGIN PASSWORD 'dev-only-at13-db-CHANGE-ME';
CREATE DATABASE sopro_at13 OWNER sopro_at13 ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE sopro_at13 FROM PUBLIC;

CREATE ROLE sopro_at22 LOGIN PASSWORD 'dev-only-at22-db-CHANGE-ME';
CREATE DATABASE sopro_at22 OWNER sopro_at22 ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE sopro_at22 FROM PUBLIC;

CREATE ROLE sopro_hu22 LOGIN PASSWORD 'dev-only-hu22-db-CHANGE-ME';
CREATE DATABASE sopro_hu22 OWNER sopro_hu22 ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE sopro_hu22 FROM PUBLIC;

CREATE ROLE sopro_eu LOGIN PASSWORD 'dev-only-eu-db-CHANGE-ME';
CREATE DATABASE sopro_eu OWNER sopro_eu ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE sopro_eu FROM PUBLIC;
