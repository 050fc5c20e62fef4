"""Train an MLP and a small CNN on scikit-learn's bundled 8x8 digits with retrograd.

    python examples/train_digits.py                   # both models, default backend
    python examples/train_digits.py --model cnn --backend jax
    python examples/train_digits.py --backend all     # every usable backend in turn

The data ships inside scikit-learn (no download). Each epoch prints a progress line, then
the epoch's mean loss and its train and test accuracy. The model builders take the
``nn`` namespace as an argument, so the same code builds PyTorch's twin
(tests/test_digits_example.py trains both from the same weights and compares).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import numpy as np
import retrograd as torch
from retrograd import nn
from retrograd.utils.data import DataLoader, TensorDataset

TEST_FRACTION = 0.2


def load_digits_split(seed: int = 0) -> tuple[np.ndarray, ...]:
    """``(x_train, y_train, x_test, y_test)``: images as float32 ``(N, 1, 8, 8)`` in
    [0, 1], labels int64; a fixed random split."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None]
    y = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = int(len(y) * TEST_FRACTION)
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def build_mlp(nn: Any) -> Any:
    """64-128-64-10 with ReLU."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(64, 128),
        nn.ReLU(),
        nn.Linear(128, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )


def build_cnn(nn: Any, dropout: float = 0.1) -> Any:
    """Two 3x3 convolutions with batch norm and max pooling, then two linear layers."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 2 * 2, 64),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(64, 10),
    )


MODELS = {"mlp": build_mlp, "cnn": build_cnn}


def progress(epoch: int, epochs: int, done: int, total: int, loss: float) -> None:
    """One progress line, rewritten in place."""
    width = 24
    filled = width * done // total
    bar = "#" * filled + "." * (width - filled)
    sys.stdout.write(f"\repoch {epoch}/{epochs} [{bar}] {done}/{total} loss {loss:.4f}")
    sys.stdout.flush()


def accuracy(model: Any, x: Any, y: Any) -> float:
    """The fraction of ``x`` that ``model`` classifies as ``y`` (eval mode, no graph)."""
    model.eval()
    with torch.no_grad():
        predicted = model(x).argmax(dim=1)
    model.train()
    return (predicted == y).float().mean().item()


def train(name: str, epochs: int, lr: float, batch_size: int, seed: int) -> float:
    """Train model ``name`` on the default backend; print progress; return the final
    test accuracy."""
    torch.manual_seed(seed)
    x_train, y_train, x_test, y_test = (torch.tensor(a.tolist()) for a in load_digits_split())
    model = MODELS[name](nn)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=batch_size, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))  # fmt: skip
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    loss_fn = nn.CrossEntropyLoss()
    test_acc = 0.0
    for epoch in range(1, epochs + 1):
        start, total = time.perf_counter(), 0.0
        for i, (images, labels) in enumerate(loader, 1):
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            total += loss.item()
            progress(epoch, epochs, i, len(loader), total / i)
        scheduler.step()
        train_acc = accuracy(model, x_train, y_train)
        test_acc = accuracy(model, x_test, y_test)
        sys.stdout.write(
            f"\repoch {epoch}/{epochs}: loss {total / len(loader):.4f}, train acc "
            f"{100 * train_acc:.1f}%, test acc {100 * test_acc:.1f}% "
            f"({time.perf_counter() - start:.1f} s){' ' * 20}\n"
        )
    return test_acc


def usable_backends() -> list[str]:
    return [b.name for b in torch.backends() if b.usable]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=[*MODELS, "both"], default="both")
    parser.add_argument("--backend", default=None, help="a backend name, or 'all'")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    backends = usable_backends() if args.backend == "all" else [args.backend]
    names = list(MODELS) if args.model == "both" else [args.model]
    failures = []
    for backend in backends:
        if backend is not None:
            torch.set_default_backend(backend)
        for name in names:
            where = f"{name} on {torch.get_backend().name}"
            print(f"== {where} ==")
            try:
                acc = train(name, args.epochs, args.lr, args.batch_size, args.seed)
            except Exception as error:  # noqa: BLE001 - report it, go on to the next backend
                if len(backends) == 1:
                    raise
                failures.append(where)
                print(f"\n{where}: failed: {type(error).__name__}: {str(error)[:300]}")
                continue
            print(f"{where}: test accuracy {100 * acc:.2f}%")
    if failures:
        sys.exit(f"failed: {', '.join(failures)}")


if __name__ == "__main__":
    main()
