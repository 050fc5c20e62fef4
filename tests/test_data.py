"""retrograd.utils.data against torch.utils.data: batches, collation, samplers,
random_split, errors."""

from __future__ import annotations

import pytest
import retrograd as rg
from retrograd.utils.data import (
    BatchSampler,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)

torch = pytest.importorskip("torch")
tdata = torch.utils.data


def _tensors():
    x = rg.arange(30.0).reshape(10, 3)
    y = rg.arange(10)
    return x, y


@pytest.mark.parametrize("batch_size,drop_last", [(3, False), (3, True), (10, False), (4, True)])
def test_sequential_batches_match_pytorch(batch_size, drop_last):
    x, y = _tensors()
    mine = DataLoader(TensorDataset(x, y), batch_size=batch_size, drop_last=drop_last)
    tx, ty = torch.arange(30.0).reshape(10, 3), torch.arange(10)
    theirs = tdata.DataLoader(tdata.TensorDataset(tx, ty), batch_size=batch_size,
                              drop_last=drop_last)  # fmt: skip
    assert len(mine) == len(theirs)
    got = [[t.tolist() for t in batch] for batch in mine]
    assert got == [[t.tolist() for t in batch] for batch in theirs]
    assert all(isinstance(batch, list) for batch in mine)  # a tuple sample collates to a list


def test_shuffle_with_generator_is_a_reproducible_permutation():
    x, y = _tensors()

    def epoch(seed):
        loader = DataLoader(TensorDataset(x, y), batch_size=4, shuffle=True,
                            generator=rg.Generator().manual_seed(seed))  # fmt: skip
        return [i for _, labels in loader for i in labels.tolist()]

    assert epoch(1) == epoch(1) != epoch(2)
    assert sorted(epoch(1)) == list(range(10))
    loader = DataLoader(TensorDataset(x, y), batch_size=4, shuffle=True)
    first, second = [[i for _, b in loader for i in b.tolist()] for _ in range(2)]
    assert sorted(first) == sorted(second) == list(range(10)) and first != second


def test_default_collate_matches_pytorch():
    samples = [
        {"a": 1.5, "b": (2, rg.tensor([1.0, 2.0])), "c": "x"},
        {"a": 2.5, "b": (3, rg.tensor([3.0, 4.0])), "c": "y"},
    ]
    tsamples = [
        {"a": 1.5, "b": (2, torch.tensor([1.0, 2.0])), "c": "x"},
        {"a": 2.5, "b": (3, torch.tensor([3.0, 4.0])), "c": "y"},
    ]
    mine = default_collate(samples)
    theirs = tdata.default_collate(tsamples)
    assert mine["a"].dtype is rg.float64 and mine["a"].tolist() == theirs["a"].tolist()
    assert mine["b"][0].dtype is rg.int64 and mine["b"][0].tolist() == theirs["b"][0].tolist()
    assert mine["b"][1].tolist() == theirs["b"][1].tolist()
    assert type(mine["b"]) is type(theirs["b"]) and mine["c"] == theirs["c"]


def test_collate_fn_and_no_batching():
    x, y = _tensors()
    loader = DataLoader(TensorDataset(x, y), batch_size=5, collate_fn=lambda b: len(b))
    assert list(loader) == [5, 5]
    unbatched = list(DataLoader(TensorDataset(x, y), batch_size=None))
    assert len(unbatched) == 10 and unbatched[3][1].item() == 3


@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.7], [0.25, 0.25, 0.5], [0.33, 0.33, 0.34]])
def test_random_split_sizes_match_pytorch(lengths):
    data = list(range(10))
    mine = random_split(data, lengths, generator=rg.Generator().manual_seed(0))
    theirs = tdata.random_split(data, lengths, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in mine] == [len(s) for s in theirs]
    assert sorted(i for s in mine for i in s) == data
    assert all(isinstance(s, Subset) for s in mine)


def test_samplers():
    assert list(SequentialSampler(range(4))) == [0, 1, 2, 3]
    batches = list(BatchSampler(SequentialSampler(range(7)), 3, drop_last=False))
    assert batches == list(tdata.BatchSampler(tdata.SequentialSampler(range(7)), 3, False))
    assert len(BatchSampler(range(7), 3, True)) == 2
    drawn = list(RandomSampler(range(50), replacement=True, num_samples=70))
    assert len(drawn) == 70 and all(0 <= i < 50 for i in drawn)


@pytest.mark.parametrize(
    "build",
    [
        lambda d: d.BatchSampler(range(3), 0, False),
        lambda d: d.BatchSampler(range(3), 2, 1),
        lambda d: d.TensorDataset(*[(rg if d is not tdata else torch).ones(n) for n in (2, 3)]),
        lambda d: d.random_split(range(5), [2, 2]),
        lambda d: d.DataLoader(range(3), sampler=[0, 1], shuffle=True),
        lambda d: d.Dataset()[0],
    ],
)
def test_errors_match_pytorch(build):
    import retrograd.utils.data as mine_data

    with pytest.raises(Exception) as theirs:
        build(tdata)
    with pytest.raises(type(theirs.value)) as mine:
        build(mine_data)
    assert str(mine.value) == str(theirs.value)


def test_custom_dataset():
    class Squares(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return rg.tensor(float(i * i))

    assert [b.tolist() for b in DataLoader(Squares(), batch_size=2)] == [[0, 1], [4, 9], [16]]


def test_tensor_dataset_fast_collation_equals_stacking_samples():
    x, y = _tensors()
    dataset = TensorDataset(x, y)
    fast = DataLoader(dataset, batch_size=4, shuffle=True, generator=rg.Generator().manual_seed(3))
    slow = DataLoader(dataset, batch_size=4, shuffle=True, generator=rg.Generator().manual_seed(3),
                      collate_fn=lambda batch: default_collate(batch))  # fmt: skip
    for a, b in zip(fast, slow):
        assert [t.tolist() for t in a] == [t.tolist() for t in b]
        assert [t.dtype for t in a] == [t.dtype for t in b]
