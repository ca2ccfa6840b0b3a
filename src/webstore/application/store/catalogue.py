"""The ``Webstore``'s use cases of the catalogue: products, their pictures, imports."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from webstore.application.catalogue import imports, pictures, products
from webstore.application.catalogue.imports import ImportReport, Progress
from webstore.application.catalogue.product_files import ProductFile
from webstore.application.dto import Page, Principal
from webstore.application.snapshots import ProductSnapshot
from webstore.application.store.wiring import Number, StoreWiring
from webstore.application.versioned import Known, Versioned
from webstore.domain.pictures import LARGE, ImageVariant


class CatalogueUseCases(StoreWiring):
    """List, show, add, change and withdraw products; set their pictures; import files."""

    def list_products(
        self,
        limit: Number = None,
        offset: Number = None,
        search: str | None = None,
        *,
        actor: Principal | None = None,
        include_inactive: bool = False,
        with_images: bool = True,
    ) -> Page[ProductSnapshot]:
        """Active products by id, ``limit`` (1..1000) from ``offset`` (>= 0); ``total`` counts all.

        ``search`` keeps the products whose name contains it, whatever the case (``"e"``
        finds ``"Éclair"``); blank means no filter. ``include_inactive=True`` lists withdrawn
        products too, for a superuser ``actor`` (``PermissionDenied`` otherwise, before any
        other check). ``with_images=False`` leaves every ``image`` ``None`` (one read less).
        Raises ``InvalidInput`` for a bad limit, offset or search.
        """
        return products.list_products(
            limit, offset, search, actor=actor, include_inactive=include_inactive,
            with_images=with_images, uow=self.uow, clock=self.clock,
        )  # fmt: skip

    def list_products_versioned(
        self,
        known: Known,
        limit: Number = None,
        offset: Number = None,
        search: str | None = None,
        *,
        actor: Principal | None = None,
        include_inactive: bool = False,
        with_images: bool = True,
    ) -> Versioned[ProductSnapshot]:
        """``list_products`` for a caller that keeps listings: with the catalogue's version,
        read in the same snapshot, and no page when ``known(key, version)`` says it keeps it."""
        return products.list_products_versioned(
            limit, offset, search, actor=actor, include_inactive=include_inactive,
            with_images=with_images, uow=self.uow, clock=self.clock, known=known,
        )  # fmt: skip

    def get_product(
        self, actor: Principal | None, product_id: int, *, with_image: bool = True
    ) -> ProductSnapshot:
        """One active product (for anybody: ``actor`` ``None``, as the public catalogue); a
        superuser also gets withdrawn ones. Else ``ProductNotFound``. ``with_image=False``
        leaves ``image`` ``None`` (one read less)."""
        return products.get_product(
            actor, product_id, with_image=with_image, uow=self.uow, clock=self.clock
        )

    def add_product(self, actor: Principal, data: Mapping[str, object]) -> ProductSnapshot:
        """Create a product (superusers only) from ``name``, ``price``, the stock and an
        optional ``description``; ``price`` as a ``Decimal``, an int or a decimal string.

        The stock is ``stock`` (as ``ProductSnapshot`` has it) or ``amount`` (as the HTTP API
        has it), not both. Raises ``PermissionDenied`` or ``InvalidInput``.
        """
        return products.add_product(actor, data, uow=self.uow, clock=self.clock)

    def update_product(
        self, actor: Principal, product_id: int, changes: Mapping[str, object]
    ) -> ProductSnapshot:
        """Change some of ``name``, ``description``, ``price``, ``stock`` (or ``amount``, its
        name over HTTP; not both), ``is_active``; other keys are ignored.

        Superusers only. Raises ``PermissionDenied``, ``ProductNotFound`` or ``InvalidInput``.
        """
        return products.update_product(actor, product_id, changes, uow=self.uow, clock=self.clock)

    def deactivate_product(self, actor: Principal, product_id: int) -> None:
        """Withdraw a product from sale (superusers only); orders keep it. Twice is fine.

        Raises ``PermissionDenied`` or ``ProductNotFound``.
        """
        products.deactivate_product(actor, product_id, uow=self.uow, clock=self.clock)

    def set_product_image(self, actor: Principal, product_id: int, data: bytes) -> ProductSnapshot:
        """Make the picture in ``data`` (a JPEG, PNG or WebP file's bytes) the product's
        (superusers only; withdrawn products too), in place of any it had.

        What is kept is never ``data``: each of ``pictures.SIZES`` re-encoded as WebP from the
        pixels alone (upright, in sRGB, without EXIF, XMP or comments; never enlarged). The
        product comes back with its new ``image``. Raises ``PermissionDenied``,
        ``ProductNotFound``, or ``InvalidImage`` (empty, over 5 MiB, another format, corrupted,
        or over 10000 pixels a side or 40 megapixels, judged from the header before decoding).
        """
        return pictures.set_product_image(
            actor,
            product_id,
            data,
            uow=self.uow,
            clock=self.clock,
            processor=self.picture_processor,
        )

    def remove_product_image(self, actor: Principal, product_id: int) -> None:
        """Forget the product's picture (superusers only); twice is fine.

        Raises ``PermissionDenied`` or ``ProductNotFound``.
        """
        pictures.remove_product_image(actor, product_id, uow=self.uow, clock=self.clock)

    def get_product_image(
        self, product_id: int, size: int = LARGE, digest: str | None = None
    ) -> ImageVariant:
        """A stored copy of the product's picture, its bytes and type, for anybody.

        ``size`` is one of ``pictures.SIZES`` (400 or 1200); ``digest``, if given, must be the
        copy's (or its first 16 hexadecimal digits, as its URL gives them). Raises
        ``ImageNotFound``.
        """
        return pictures.get_product_image(product_id, size, digest, uow=self.uow)

    def import_products(
        self, actor: Principal, rows: Iterable[Mapping[str, object]]
    ) -> list[ProductSnapshot]:
        """Add every row as a product (superusers only): all of them, or none.

        Each row is what ``add_product`` takes. Raises ``PermissionDenied``, or ``InvalidInput``
        whose ``errors["rows"]`` maps each bad row's index (from 0) to its problems.
        """
        return products.import_products(actor, rows, uow=self.uow, clock=self.clock)

    def import_product_file(
        self,
        actor: Principal,
        source: ProductFile | Callable[[], ProductFile],
        *,
        update: bool = False,
        progress: Progress | None = None,
    ) -> ImportReport:
        """Add every product of a CSV or JSON-lines file (superusers only): all, or none.

        A line whose name is a product's already (ignoring case and accents) is refused,
        unless ``update``: then it changes that product's price, stock and, if the line gives
        one, description. ``source`` is the file, or a function giving it, called only once
        ``actor`` has been found to claim to be a superuser. ``progress(checked, total)``
        hears how far the check has got. Returns how many products were added and updated.
        Raises ``PermissionDenied``, or ``InvalidImport`` naming the bad lines (``problems``
        has one sentence per line).
        """
        return imports.import_product_file(
            actor, source, uow=self.uow, clock=self.clock, progress=progress, update=update
        )
