"""Train MLPs on (Fashion-)MNIST with the course engine; print accuracy, time and memory.

    python benchmarks/train_mnist.py [--variant auto|digits|fashion] [--data-dir DIR] [--threads 1]

Models (``course.nn`` modules on the engine, float32, Adam with a cosine learning-rate schedule,
batch 128, the last 10,000 training images held out for validation):
  1-layer   784-10           softmax regression
  2-layer   784-100-10       one hidden ReLU layer
  3-layer   784-100-200-10   two hidden ReLU layers
``auto`` uses MNIST when its four files are found locally, else Fashion-MNIST (Debian's
``dataset-fashion-mnist`` offline).  Nothing is downloaded unless ``--download`` is given.

Printed per model: test accuracy, seconds per training epoch over 50,000 images (including the
validation pass), total training time, and the process's peak resident memory so far
(``ru_maxrss``, which includes the data set itself).  Then the engine's overhead: training
epochs of the 3-layer network on the engine (``course.nn`` modules, loss.backward()) and with
the hand-written layers of ``course.nn.layers`` (same optimizer, same batches, no validation
pass in either), interleaved batch by batch so that both see the same machine load; the median
of the per-epoch ratios engine / hand-written is printed with the load average.
Targets (Fashion-MNIST): >= 89% test accuracy with an MLP in <= 60 s of training, <= 1.5 s per
epoch at batch 128, peak memory <= 1 GB.

With MNIST (or ``--seed-settings``), the seeds' own settings are measured as well: the
hand-written layers of ``course.nn.layers`` (no engine), plain SGD at batch 32, learning rate 0.1
decaying linearly to 0.01, 25 epochs, the three models above; the seed courses report about 92%
(1 layer), 97% (2 layers) and 98.19% validation accuracy (3 layers after 25 epochs at batch 32).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

# One BLAS thread unless asked otherwise (set before numpy loads): the machine is shared, and
# competing BLAS threads make the timings meaningless.
_threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _threads

import resource  # noqa: E402
from typing import Callable  # noqa: E402

import numpy as np  # noqa: E402

from course.data import DatasetNotFoundError, load_mnist, minibatches, mnist_files  # noqa: E402
from course.nn import Adam, cosine_schedule, layers, mlp, softmax_cross_entropy  # noqa: E402
from course.train import accuracy, fit  # noqa: E402

MODELS = [  # name, sizes, epochs, learning rate
    ("1-layer", [784, 10], 10, 2e-3),
    ("2-layer", [784, 100, 10], 15, 2e-3),
    ("3-layer", [784, 100, 200, 10], 20, 2e-3),
]
BATCH = 128


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def choose_variant(variant: str, data_dir: str | None) -> str:
    if variant != "auto":
        return variant
    try:
        mnist_files("digits", "train", data_dir, download=False)
        mnist_files("digits", "test", data_dir, download=False)
        return "digits"
    except DatasetNotFoundError:
        return "fashion"


def engine_step(sizes: list[int], seed: int = 0) -> Callable[[np.ndarray, np.ndarray], None]:
    """One training step on the engine: what ``fit`` does per batch, without its bookkeeping."""
    model = mlp(sizes, seed=seed, dtype=np.float32)
    opt = Adam(model.parameters(), lr=1e-3)

    def step(Xb: np.ndarray, yb: np.ndarray) -> None:
        opt.zero_grad()
        softmax_cross_entropy(model(Xb), yb).backward()
        opt.step()
    return step


def hand_written_step(sizes: list[int], seed: int = 0) -> Callable[[np.ndarray, np.ndarray], None]:
    """The same step with the hand-written layers of ``course.nn.layers`` (reference)."""
    net, sce = hand_written_net(sizes, seed), layers.SoftmaxCrossEntropy()
    opt = Adam(net.parameters(), lr=1e-3)

    def step(Xb: np.ndarray, yb: np.ndarray) -> None:
        logits, caches = net.forward(Xb)
        _, cache = sce.forward(logits, yb)
        net.backward(sce.backward(cache).astype(np.float32), caches)
        opt.step()
    return step


SEED_QUOTES = {"1-layer": "about 92%", "2-layer": "about 97%", "3-layer": "98.19% validation"}


def hand_written_net(sizes: list[int], seed: int = 0) -> layers.Stack:
    stack_layers: list[layers.Layer] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        stack_layers.append(layers.Dense(n_in, n_out, init="he", seed=seed + i, dtype=np.float32))
        if i < len(sizes) - 2:
            stack_layers.append(layers.ReLU())
    return layers.Stack(*stack_layers)


def seed_settings(data: tuple, epochs: int, seed: int = 0) -> None:
    """The seeds' settings on the hand-written layers: SGD, batch 32, lr 0.1 -> 0.01."""
    X, y, Xv, yv, Xt, yt = data
    sce = layers.SoftmaxCrossEntropy()
    print()
    print(f"Seed settings (hand-written layers, SGD, batch 32, lr 0.1 -> 0.01, {epochs} epochs):")
    print("| model | layers | validation accuracy | test accuracy | the seeds report | training time (s) |")
    print("|---|---|---|---|---|---|")
    for label, sizes, _, _ in MODELS:
        net = hand_written_net(sizes, seed)
        rng = np.random.default_rng(seed)
        start = time.perf_counter()
        for epoch in range(epochs):
            lr = 0.1 * (1 - 0.9 * epoch / max(1, epochs - 1))
            for Xb, yb in minibatches(X, y, 32, seed=rng):
                logits, caches = net.forward(Xb)
                _, cache = sce.forward(logits, yb)
                net.backward(sce.backward(cache).astype(np.float32), caches)
                for p in net.parameters():
                    p.value -= lr * p.grad
        seconds = time.perf_counter() - start
        val_acc, test_acc = (float(np.mean(np.argmax(net(A), axis=1) == b)) for A, b in ((Xv, yv), (Xt, yt)))
        print(f"| {label} | {'-'.join(map(str, sizes))} | {val_acc:.2%} | {test_acc:.2%} | "
              f"{SEED_QUOTES[label]} | {seconds:.1f} |", flush=True)


def interleaved_epochs(sizes: list[int], X: np.ndarray, y: np.ndarray, rounds: int,
                       seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seconds per training epoch of the engine and of the hand-written layers, ``rounds``
    times. The two alternate batch by batch (same batches, the order swapped every batch), so
    both see the same machine load; each epoch time is the sum of its steps."""
    steps = {"engine": engine_step(sizes, seed), "hand": hand_written_step(sizes, seed)}
    times = {name: np.zeros(rounds) for name in steps}
    rng = np.random.default_rng(seed)
    for r in range(rounds):
        for k, (Xb, yb) in enumerate(minibatches(X, y, BATCH, seed=rng)):
            for name in (("engine", "hand") if k % 2 else ("hand", "engine")):
                start = time.perf_counter()
                steps[name](Xb, yb)
                times[name][r] += time.perf_counter() - start
    return times["engine"], times["hand"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variant", choices=["auto", "digits", "fashion"], default="auto")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--download", action="store_true")
    parser.add_argument("--threads", default="1", help="BLAS threads (default 1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=5,
                        help="interleaved engine/hand-written epochs for the overhead ratio")
    parser.add_argument("--seed-settings", action="store_true",
                        help="also train with the seeds' settings (always done on MNIST)")
    parser.add_argument("--seed-epochs", type=int, default=25, help="epochs of the seed settings")
    args = parser.parse_args()

    variant = choose_variant(args.variant, args.data_dir)
    t0 = time.perf_counter()
    X, y, Xv, yv, Xt, yt = load_mnist(variant, args.data_dir, download=args.download,
                                      progress=False)
    name = "MNIST" if variant == "digits" else "Fashion-MNIST"
    print(f"{name}: {len(X)} train / {len(Xv)} validation / {len(Xt)} test, float32, "
          f"loaded in {time.perf_counter() - t0:.1f} s; BLAS threads: {args.threads}; "
          f"load average {_load()}")
    print()
    print("| model | layers | epochs | test accuracy | s / epoch (50k, batch 128) | training time (s) | peak RSS (MB) |")
    print("|---|---|---|---|---|---|---|")
    results = {}
    for label, sizes, epochs, lr in MODELS:
        model = mlp(sizes, seed=args.seed, dtype=np.float32)
        opt = Adam(model.parameters(), lr=lr)
        start = time.perf_counter()
        history = fit(model, softmax_cross_entropy, opt, X, y, Xv, yv, epochs=epochs,
                      batch_size=BATCH, callbacks=[cosine_schedule(opt, epochs)], seed=args.seed,
                      progress=False)
        train_time = time.perf_counter() - start
        test_acc = accuracy(model, Xt, yt)
        per_epoch = float(np.median(history.epoch_time))
        results[label] = (test_acc, per_epoch, train_time)
        print(f"| {label} | {'-'.join(map(str, sizes))} | {epochs} | {test_acc:.2%} | "
              f"{per_epoch:.2f} | {train_time:.1f} | {peak_rss_mb():.0f} |", flush=True)

    sizes = MODELS[-1][1]
    engine_times, hand_times = interleaved_epochs(sizes, X, y, args.rounds, args.seed)
    ratios = engine_times / hand_times
    engine = results["3-layer"][1]
    print()
    print(f"3-layer training epoch, {args.rounds} rounds interleaved batch by batch: engine "
          f"{np.median(engine_times):.2f} s, hand-written layers {np.median(hand_times):.2f} s "
          f"(medians); engine / hand-written = {np.median(ratios):.2f} (median of the per-round "
          f"ratios, range {ratios.min():.2f}-{ratios.max():.2f}); load average {_load()}")
    best = max(results.values())
    print(f"targets: best MLP test accuracy {best[0]:.2%} (>= 89% on Fashion-MNIST) in "
          f"{best[2]:.1f} s (<= 60 s); epoch {engine:.2f} s / 1.5 s = {engine / 1.5:.2f} "
          f"(<= 1); peak memory {peak_rss_mb():.0f} MB / 1024 MB = {peak_rss_mb() / 1024:.2f} (<= 1)")
    if variant == "digits" or args.seed_settings:
        seed_settings((X, y, Xv, yv, Xt, yt), args.seed_epochs, args.seed)
    else:
        print(f"\nThe seeds' settings are measured on MNIST only ({name} here; --seed-settings forces them).")


def _load() -> str:
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
