"""``DataLoader``: iterate over a dataset in (shuffled) batches, single-process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from .collate import default_collate, default_convert
from .dataset import TensorDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler, fresh_seed


def _check_options(
    num_workers: int,
    shuffle: Any,
    sampler: Any,
    batch_sampler: Any,
    batch_size: Any,
    drop_last: bool,
) -> None:
    """PyTorch's refusals of contradictory options (and of worker processes)."""
    if num_workers < 0:
        raise ValueError(
            "num_workers option should be non-negative; use num_workers=0 to disable "
            "multiprocessing."
        )
    if num_workers > 0:
        raise NotImplementedError(
            "retrograd's DataLoader loads in the calling process: use num_workers=0"
        )
    if sampler is not None and shuffle:
        raise ValueError("sampler option is mutually exclusive with shuffle")
    if batch_sampler is not None:
        if batch_size != 1 or shuffle or sampler is not None or drop_last:
            raise ValueError(
                "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                "sampler, and drop_last"
            )
    elif batch_size is None and drop_last:
        raise ValueError(
            "batch_size=None option disables auto-batching and is mutually exclusive with drop_last"
        )


class DataLoader:
    """Batches of ``dataset`` in the order of ``sampler`` (``RandomSampler`` with
    ``generator`` when ``shuffle``), collated by ``collate_fn``. As PyTorch's, each
    pass first draws one int64 from ``generator`` (its workers' base seed), so seeded
    streams advance as PyTorch's do."""

    def __init__(
        self,
        dataset: Any,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Any = None,
        batch_sampler: Any = None,
        num_workers: int = 0,
        collate_fn: Callable | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Any = None,
        multiprocessing_context: Any = None,
        generator: Any = None,
        *,
        prefetch_factor: Any = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        _check_options(num_workers, shuffle, sampler, batch_sampler, batch_size, drop_last)
        if batch_sampler is not None:
            batch_size, drop_last = None, False
        if sampler is None:
            sampler = (
                RandomSampler(dataset, generator=generator)
                if shuffle
                else SequentialSampler(dataset)
            )
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.dataset, self.batch_size, self.drop_last = dataset, batch_size, drop_last
        self.sampler, self.batch_sampler, self.generator = sampler, batch_sampler, generator
        self.num_workers, self.timeout, self.pin_memory = num_workers, timeout, pin_memory
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn

    @property
    def _index_sampler(self) -> Any:
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def __len__(self) -> int:
        return len(self._index_sampler)

    def __iter__(self) -> Iterator[Any]:
        indices = iter(self._index_sampler)
        fresh_seed(self.generator)  # the base seed PyTorch draws for its workers
        fetch = self.dataset.__getitems__ if hasattr(self.dataset, "__getitems__") else None
        batched = self.batch_sampler is not None
        # Speed: a TensorDataset's default collation is one row selection per tensor.
        direct = isinstance(self.dataset, TensorDataset) and self.collate_fn is default_collate
        for index in indices:
            if not batched:
                yield self.collate_fn(self.dataset[index])
            elif direct:
                yield self.dataset.collated(list(index))
            elif fetch is not None:
                yield self.collate_fn(fetch(index))
            else:
                yield self.collate_fn([self.dataset[i] for i in index])
