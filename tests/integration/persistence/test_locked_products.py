"""Products locked for a change are read on the driver and saved by the unit of work's commit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.integration.persistence.helpers import add_product, money, query, statements
from webstore.adapters.sql.unit_of_work import SqlAlchemyUnitOfWorkFactory
from webstore.domain.products import Product


def stored(url: str, product_id: int) -> tuple[object, ...]:
    [row] = query(
        url,
        "SELECT name, name_key, description, price, amount, is_active FROM products WHERE id = :id",
        id=product_id,
    )
    name, name_key, description, price, amount, is_active = row
    return name, name_key, description, money(str(price)).amount, amount, bool(is_active)


def fields(product: Product) -> dict[str, object]:
    return {k: v for k, v in sorted(vars(product).items()) if not k.startswith("_sa")}


def test_locked_products_read_as_the_session_would_read_them(
    sql_uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    chair = add_product(sql_uow, "Red Chair", "19.99", 7)
    table = add_product(sql_uow, "Oak Table", "250.00", 2, active=False)
    with sql_uow() as work:
        locked = work.products.get_for_update([table, chair, chair])
        through_orm = [work.products.get(chair), work.products.get(table)]
    assert [p.id for p in locked] == [chair, table]  # once each, in id order
    for direct, orm in zip(locked, through_orm, strict=True):
        assert direct is not orm
        assert orm is not None
        assert fields(direct) == fields(orm)
        assert [type(v) for v in fields(direct).values()] == [type(v) for v in fields(orm).values()]


def test_changes_to_locked_products_are_saved_by_commit_and_only_then(
    sql_uow: SqlAlchemyUnitOfWorkFactory, sql_url: str
) -> None:
    chair = add_product(sql_uow, "Red Chair", "19.99", 7)
    before = stored(sql_url, chair)
    with sql_uow() as work:
        [product] = work.products.get_for_update([chair])
        product.reserve(3)
        product.revise(name="Blue Chair", price=money("21.50"))
    assert stored(sql_url, chair) == before  # not committed: nothing was written
    with sql_uow() as work:
        [product] = work.products.get_for_update([chair])
        product.reserve(3)
        product.revise(name="Blue Chair", price=money("21.50"))
        work.commit()
    assert stored(sql_url, chair) == (
        "Blue Chair", "blue chair", "A red chair", money("21.50").amount, 4, True
    )  # fmt: skip


def test_an_unchanged_locked_product_is_not_written(
    sql_uow: SqlAlchemyUnitOfWorkFactory,
) -> None:
    chair = add_product(sql_uow)
    with statements(sql_uow.engine) as seen, sql_uow() as work:
        work.products.get_for_update([chair])
        work.commit()
    assert not [sql for sql, _ in seen if sql.lstrip().upper().startswith("UPDATE")]


def test_locking_again_gives_the_same_product_with_its_changes_kept(
    sql_uow: SqlAlchemyUnitOfWorkFactory, sql_url: str
) -> None:
    chair = add_product(sql_uow, stock=10)
    with sql_uow() as work:
        [first] = work.products.get_for_update([chair])
        first.reserve(4)
        [again] = work.products.get_for_update([chair])
        assert again is first and again.stock == 6  # written before it was read again
        again.reserve(1)
        work.commit()
    assert stored(sql_url, chair)[4] == 5


def test_work_after_a_commit_is_saved_by_the_next_commit(
    sql_uow: SqlAlchemyUnitOfWorkFactory, sql_url: str
) -> None:
    chair = add_product(sql_uow, stock=10)
    with sql_uow() as work:
        [product] = work.products.get_for_update([chair])
        product.reserve(1)
        work.commit()
        product.reserve(2)
        work.commit()
        product.reserve(3)  # never committed
    assert stored(sql_url, chair)[4] == 7


def test_a_product_the_session_holds_is_locked_through_the_session(
    sql_uow: SqlAlchemyUnitOfWorkFactory, sql_url: str
) -> None:
    with sql_uow() as work:
        product = Product("Green Lamp", money("9.50"), 3)
        work.products.add(product)
        assert product.id is not None
        [locked] = work.products.get_for_update([product.id])
        assert locked is product  # one object for one row in a unit of work
        locked.reserve(1)
        work.commit()
    assert stored(sql_url, product.id)[4] == 2


def test_a_change_the_database_refuses_fails_the_commit(
    sql_uow: SqlAlchemyUnitOfWorkFactory, sql_url: str
) -> None:
    chair = add_product(sql_uow, stock=1)
    with pytest.raises(sa.exc.IntegrityError), sql_uow() as work:
        [product] = work.products.get_for_update([chair])
        product.stock = -1  # past the domain's rules: the CHECK constraint still holds
        work.commit()
    assert stored(sql_url, chair)[4] == 1
