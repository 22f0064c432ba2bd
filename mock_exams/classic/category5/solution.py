"""Reference solution for the classic Category 5, sunspots (shown after the session ends)."""

import csv

import numpy as np
import tensorflow as tf


def windowed_dataset(series, window_size, batch_size, shuffle_buffer):
    series = tf.expand_dims(series, axis=-1)
    ds = tf.data.Dataset.from_tensor_slices(series)
    ds = ds.window(window_size + 1, shift=1, drop_remainder=True)
    ds = ds.flat_map(lambda w: w.batch(window_size + 1))
    ds = ds.shuffle(shuffle_buffer)
    ds = ds.map(lambda w: (w[:-1], w[1:]))
    return ds.batch(batch_size).prefetch(1)


def solution_model(epochs=100):
    sunspots = []
    with open("sunspots.csv") as csvfile:
        reader = csv.reader(csvfile, delimiter=",")
        next(reader)
        for row in reader:
            sunspots.append(float(row[2]))

    series = np.array(sunspots)
    min = np.min(series)
    max = np.max(series)
    series -= min
    series /= max

    split_time = 3000
    window_size = 30
    batch_size = 32
    shuffle_buffer_size = 1000
    x_train = series[:split_time]
    # The validation windows start window_size months early so that every month after
    # split_time is a target.
    x_valid = series[split_time - window_size :]
    train_set = windowed_dataset(x_train, window_size, batch_size, shuffle_buffer_size)
    valid_set = windowed_dataset(x_valid, window_size, batch_size, shuffle_buffer_size)

    tf.keras.utils.set_random_seed(5)  # reproducible training; not needed to pass
    # A sequence-to-sequence model, as the real starter's windows (w[1:]) ask for: causal
    # convolutions, so that each step sees only the months up to it (4 dilated layers see 61
    # months back); the tester reads the last step.
    model = tf.keras.models.Sequential(
        [
            tf.keras.Input(shape=[None, 1]),
            tf.keras.layers.Conv1D(32, 5, padding="causal", activation="relu"),
            tf.keras.layers.Conv1D(32, 5, padding="causal", dilation_rate=2, activation="relu"),
            tf.keras.layers.Conv1D(32, 5, padding="causal", dilation_rate=4, activation="relu"),
            tf.keras.layers.Conv1D(32, 5, padding="causal", dilation_rate=8, activation="relu"),
            tf.keras.layers.Dense(32, activation="relu"),
            tf.keras.layers.Dense(1),
        ]
    )
    model.compile(
        loss=tf.keras.losses.Huber(delta=0.1),
        optimizer=tf.keras.optimizers.Adam(learning_rate=1e-3),
        metrics=["mae"],
    )
    stop = tf.keras.callbacks.EarlyStopping(
        monitor="val_mae", patience=10, restore_best_weights=True
    )
    model.fit(train_set, validation_data=valid_set, epochs=epochs, callbacks=[stop], verbose=2)
    model.summary()
    return model


if __name__ == "__main__":
    model = solution_model()
    model.save("mymodel.h5")
