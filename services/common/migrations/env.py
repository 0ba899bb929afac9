"""Alembic environment: the engine and the metadata come from `services.common.migrate`."""
from alembic import context

config = context.config
engine = config.attributes["engine"]
metadata = config.attributes["metadata"]


def include_object(obj, name, type_, reflected, compare_to):
    # Compare only the tables of the components in play; other components own the rest.
    if type_ == "table":
        return any(name in m.tables for m in metadata)
    return True


with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
