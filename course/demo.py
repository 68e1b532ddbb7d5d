"""A two-minute tour of the engine: ``python -m course.demo``.

Prints the evaluation trace of the AD lecture and trains the spiral network of the CS231n notes
with a loss written in plain numpy, differentiated by ``course.grad``.
"""

from __future__ import annotations

import numpy as np

import course


def spiral(n: int = 100, k: int = 3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    r = np.tile(np.linspace(0.0, 1.0, n), k)
    t = np.concatenate([np.linspace(j * 4, (j + 1) * 4, n) for j in range(k)])
    t = t + rng.standard_normal(n * k) * 0.2
    return np.c_[r * np.sin(t), r * np.cos(t)], np.repeat(np.arange(k), n)


def main() -> None:
    print(course.trace(lambda x1, x2: np.log(x1) + x1 * x2 - np.sin(x2), 2.0, 5.0))
    X, y = spiral()
    rng = np.random.default_rng(1)
    params = [rng.standard_normal((2, 100)) * 0.5, np.zeros(100),
              rng.standard_normal((100, 3)) * 0.1, np.zeros(3)]

    def loss(p: list[np.ndarray]) -> course.Tensor:
        W1, b1, W2, b2 = p
        scores = np.maximum(0, X @ W1 + b1) @ W2 + b2
        return course.softmax_cross_entropy(scores, y) + 1e-3 * 0.5 * (np.sum(W1 * W1) + np.sum(W2 * W2))

    step = course.value_and_grad(loss)
    for i in range(2001):
        value, grads = step(params)
        for w, g in zip(params, grads):
            w -= 1.0 * g
        if i % 500 == 0:
            print(f"iteration {i:4d}: loss {value:.4f}")
    W1, b1, W2, b2 = params
    accuracy = np.mean(np.argmax(np.maximum(0, X @ W1 + b1) @ W2 + b2, axis=1) == y)
    print(f"spiral training accuracy: {accuracy:.1%}")


if __name__ == "__main__":
    main()
