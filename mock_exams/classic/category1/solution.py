"""Reference solution for the classic exam's Category 1 (shown to the candidate after the session ends)."""

import numpy as np
import tensorflow as tf


def solution_model():
    xs = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0], dtype=float)
    ys = np.array([5.0, 6.0, 7.0, 8.0, 9.0, 10.0], dtype=float)

    model = tf.keras.Sequential([tf.keras.Input(shape=[1]), tf.keras.layers.Dense(1)])
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.05), loss="mean_squared_error")
    model.fit(xs, ys, epochs=500, verbose=0)
    model.summary()
    return model


if __name__ == "__main__":
    model = solution_model()
    model.save("mymodel.h5")
