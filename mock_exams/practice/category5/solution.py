"""Reference solution for Category 5 (shown to the candidate after the session ends)."""

import csv

import numpy as np
import tensorflow as tf

WINDOW_SIZE = 30
SPLIT_TIME = 2500
BATCH_SIZE = 32
SHUFFLE_BUFFER_SIZE = 1000


def windowed_dataset(series, window_size, batch_size, shuffle_buffer):
    series = tf.expand_dims(series, axis=-1)
    ds = tf.data.Dataset.from_tensor_slices(series)
    ds = ds.window(window_size + 1, shift=1, drop_remainder=True)
    ds = ds.flat_map(lambda w: w.batch(window_size + 1))
    ds = ds.shuffle(shuffle_buffer)
    ds = ds.map(lambda w: (w[:-1], w[-1:]))
    return ds.batch(batch_size).prefetch(1)


def solution_model(epochs=100):
    demand = []
    with open("energy_demand.csv") as csvfile:
        reader = csv.reader(csvfile, delimiter=",")
        next(reader)
        for row in reader:
            demand.append(float(row[2]))

    series = np.array(demand)
    min = np.min(series)
    max = np.max(series)
    series = (series - min) / (max - min)

    x_train = series[:SPLIT_TIME]
    # The validation windows start WINDOW_SIZE days early so that every validation day is a target.
    x_valid = series[SPLIT_TIME - WINDOW_SIZE :]
    train_set = windowed_dataset(x_train, WINDOW_SIZE, BATCH_SIZE, SHUFFLE_BUFFER_SIZE)
    valid_set = windowed_dataset(x_valid, WINDOW_SIZE, BATCH_SIZE, SHUFFLE_BUFFER_SIZE)

    model = tf.keras.models.Sequential(
        [
            tf.keras.Input(shape=[WINDOW_SIZE, 1]),
            tf.keras.layers.Conv1D(32, kernel_size=7, activation="relu"),
            tf.keras.layers.Flatten(),
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
