"""Time one SGD step of a 784-100-200-10 ReLU MLP with softmax cross-entropy.

Prints, from one run, the time per step of each implementation as a ratio to hand-written numpy
backprop, for batch sizes 32/64/128/256 in float64 and float32, then the cost per node of a long
scalar chain (forward and backward):

    python benchmarks/engine_step.py [--repeats 25] [--steps 10] [--chain 100000]

Implementations:
  hand numpy      forward and backward written out (CS231n style), in-place SGD update
  course grad     the plain-numpy loss (np.exp, probs[range(m), y], ...) through course.grad
  course fused    course.grad with the fused softmax_cross_entropy and relu primitives
  course tensors  persistent Tensor parameters, loss.backward(), in-place update (the nn path)
  autograd        HIPS autograd on the same plain-numpy loss
  torch           PyTorch CPU (torch.nn.functional, loss.backward(), SGD)
The machine is shared, so each round runs every implementation once (interleaved, in an order
that rotates from round to round), each ratio is taken within a round, and the median ratio over
rounds is reported; the load average is printed before and after, since other users' jobs on the
same cores move every absolute time (and, less, the ratios).
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import time
from typing import Callable

# One BLAS thread for every implementation (set before numpy loads): on a shared 2-core
# machine, threads fighting over cores make timings meaningless. --threads changes it.
_threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = _threads

import numpy as np  # noqa: E402

import course  # noqa: E402

SIZES = (784, 100, 200, 10)
LR = 1e-3


def init_params(dtype: np.dtype, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    params = []
    for n_in, n_out in zip(SIZES[:-1], SIZES[1:]):
        params.append((rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)).astype(dtype))
        params.append(np.zeros(n_out, dtype=dtype))
    return params


def plain_loss(params, X, y, np=np):
    """The notebook's loss, written with numpy only (no engine calls)."""
    W1, b1, W2, b2, W3, b3 = params
    h1 = np.maximum(0, np.dot(X, W1) + b1)
    h2 = np.maximum(0, np.dot(h1, W2) + b2)
    scores = np.dot(h2, W3) + b3
    exp_scores = np.exp(scores - np.max(scores, axis=1, keepdims=True))
    probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
    m = X.shape[0]
    return np.sum(-np.log(probs[range(m), y])) / m


def fused_loss(params, X, y):
    W1, b1, W2, b2, W3, b3 = params
    h1 = course.relu(X @ W1 + b1)
    h2 = course.relu(h1 @ W2 + b2)
    return course.softmax_cross_entropy(h2 @ W3 + b3, y)


def hand_step(params, X, y):
    W1, b1, W2, b2, W3, b3 = params
    m = X.shape[0]
    z1 = X @ W1 + b1
    h1 = np.maximum(z1, 0)
    z2 = h1 @ W2 + b2
    h2 = np.maximum(z2, 0)
    s = h2 @ W3 + b3
    s -= s.max(axis=1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(m), y]).mean()
    ds = p
    ds[np.arange(m), y] -= 1
    ds /= m
    grads = [None] * 6
    grads[4], grads[5] = h2.T @ ds, ds.sum(axis=0)
    dh2 = ds @ W3.T
    dh2 *= z2 > 0  # the ReLU mask; multiplying is faster than masked assignment
    grads[2], grads[3] = h1.T @ dh2, dh2.sum(axis=0)
    dh1 = dh2 @ W2.T
    dh1 *= z1 > 0
    grads[0], grads[1] = X.T @ dh1, dh1.sum(axis=0)
    for w, g in zip(params, grads):
        w -= LR * g
    return loss


def make_grad_step(value_and_grad):
    """An SGD step for a functional ``value_and_grad(loss)`` (ours or HIPS autograd's)."""
    def step(params, X, y):
        loss, grads = value_and_grad(params, X, y)
        for w, g in zip(params, grads):
            w -= LR * g
        return loss
    return step


def make_tensor_step(params):
    tensors = [course.Tensor(w, requires_grad=True) for w in params]

    def step(_params, X, y):
        loss = fused_loss(tensors, X, y)
        loss.backward()
        for t in tensors:
            t.value -= LR * t.grad
            t.grad = None
        return loss
    return step


def make_autograd_step():
    import autograd
    import autograd.numpy as anp
    return make_grad_step(autograd.value_and_grad(lambda p, X, y: plain_loss(p, X, y, np=anp)))


def make_torch_step(params, dtype):
    import torch
    import torch.nn.functional as F
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    ts = [torch.tensor(w, dtype=tdtype, requires_grad=True) for w in params]
    opt = torch.optim.SGD(ts, lr=LR)

    def step(_params, X, y):
        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        W1, b1, W2, b2, W3, b3 = ts
        h1 = F.relu(Xt @ W1 + b1)
        h2 = F.relu(h1 @ W2 + b2)
        loss = F.cross_entropy(h2 @ W3 + b3, yt)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss
    return step


def time_steps(step: Callable, params, batches, steps: int) -> float:
    start = time.perf_counter()
    for i in range(steps):
        X, y = batches[i % len(batches)]
        step(params, X, y)
    return (time.perf_counter() - start) / steps


def main() -> None:
    if "--chain-only" in sys.argv:
        chain_benchmark(int(sys.argv[sys.argv.index("--chain-only") + 1]),
                        "fresh interpreter (numpy and course only)")
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=25, help="interleaved rounds (median taken)")
    parser.add_argument("--steps", type=int, default=10, help="SGD steps per timing")
    parser.add_argument("--batches", type=int, nargs="+", default=[32, 64, 128, 256])
    parser.add_argument("--dtypes", nargs="+", default=["float64", "float32"])
    parser.add_argument("--threads", default="1", help="BLAS/torch threads (default 1)")
    parser.add_argument("--chain", type=int, default=100_000,
                        help="nodes in the scalar-chain benchmark (0 skips it)")
    args = parser.parse_args()
    try:
        import torch
        torch.set_num_threads(int(args.threads))
        torch_version = torch.__version__
    except ImportError:
        torch_version = None
    print(f"numpy {np.__version__}, torch {torch_version or 'not installed'}, {args.threads} "
          f"thread(s); {args.repeats} rounds x {args.steps} steps; median of per-round ratios")
    print(f"load average before: {_load()}")
    header = f"{'dtype':8} {'batch':>5} {'hand numpy':>12} | ratio to hand numpy:"
    names = ["course grad", "course fused", "course tensors", "autograd", "torch"]
    print(header)
    print(f"{'':8} {'':>5} {'ms/step':>12} | " + " ".join(f"{n:>14}" for n in names))
    for dtype in (np.dtype(d).type for d in args.dtypes):
        for batch in args.batches:
            rng = np.random.default_rng(1)
            batches = [(rng.standard_normal((batch, SIZES[0])).astype(dtype),
                        rng.integers(0, SIZES[-1], batch)) for _ in range(8)]
            impls: dict[str, tuple[Callable, list[np.ndarray]]] = {}
            impls["hand numpy"] = (hand_step, init_params(dtype))
            impls["course grad"] = (make_grad_step(course.value_and_grad(plain_loss)), init_params(dtype))
            impls["course fused"] = (make_grad_step(course.value_and_grad(fused_loss)), init_params(dtype))
            p = init_params(dtype)
            impls["course tensors"] = (make_tensor_step(p), p)
            impls["autograd"] = (make_autograd_step(), init_params(dtype))
            if torch_version:
                impls["torch"] = (make_torch_step(init_params(dtype), dtype), init_params(dtype))
            times: dict[str, list[float]] = {k: [] for k in impls}
            order = list(impls)
            for r in range(args.repeats):
                for name in order[r % len(order):] + order[:r % len(order)]:
                    step, params = impls[name]
                    time_steps(step, params, batches, 3)  # warm caches
                    times[name].append(time_steps(step, params, batches, args.steps))
            hand = np.array(times["hand numpy"])
            ratio = {k: float(np.median(np.array(v) / hand)) for k, v in times.items()}
            cells = " ".join(f"{ratio[n]:>13.2f}x" if n in ratio else f"{'-':>14}" for n in names)
            print(f"{np.dtype(dtype).name:8} {batch:>5} {np.median(hand) * 1e3:>12.3f} | {cells}",
                  flush=True)
    print(f"load average after steps: {_load()}")
    if args.chain:
        # The collector's work grows with everything else the process holds, so the chain is
        # timed twice: in a fresh interpreter that imported only numpy and course, and here,
        # after torch and autograd were imported and ran.
        subprocess.run([sys.executable, __file__, "--chain-only", str(args.chain)], check=True)
        chain_benchmark(args.chain, "in this process, with torch and autograd loaded")


def _load() -> str:
    try:
        return " ".join(open("/proc/loadavg").read().split()[:3])
    except OSError:
        return "unknown"


def chain(n: int) -> tuple[float, float]:
    """Seconds to build and to differentiate a chain of ``n`` scalar nodes (alternating * and +)."""
    x = course.Tensor(0.5, requires_grad=True)
    start = time.perf_counter()
    y = x
    for i in range(n // 2):
        y = y * 1.0000001
        y = y + 1e-7
    built = time.perf_counter()
    y.backward()
    done = time.perf_counter()
    del y
    return built - start, done - built


def chain_benchmark(n: int, where: str, runs: int = 7) -> None:
    """Microseconds per node of a long scalar chain: the engine's fixed cost, with nothing to
    compute. The garbage collector runs as it would in a user's program (not disabled)."""
    chain(1000)  # warm up
    fwd, bwd = [], []
    for _ in range(runs):
        gc.collect()
        f, b = chain(n)
        fwd.append(f / n * 1e6)
        bwd.append(b / n * 1e6)
    f, b = float(np.median(fwd)), float(np.median(bwd))
    print(f"{n}-node scalar chain, {where}: forward {f:.2f} us/node, backward {b:.2f} "
          f"us/node, total {f + b:.2f} us/node (median of {len(fwd)} runs; load average "
          f"{_load()}; {len(gc.get_objects())} objects tracked by the collector)", flush=True)


if __name__ == "__main__":
    main()
