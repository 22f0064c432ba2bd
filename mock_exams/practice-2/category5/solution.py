"""Reference solution for Category 5 of practice-2 (shown to the candidate after the session).

A small Conv1D + Dense network trained on the MAE forecasts all 24 x 7 values at once. The
windows from windowed_dataset() come in time order (batches from winter to autumn); shuffling
them across the whole training part (the windows themselves stay as they are) gives steadier
training than feeding the seasons in order.
"""

import csv

import numpy as np
import tensorflow as tf


def normalize_series(data, min, max):
    data = data - min
    data = data / (max - min)
    return data


def windowed_dataset(series, batch_size, n_past=24, n_future=24, shift=1):
    ds = tf.data.Dataset.from_tensor_slices(series)
    ds = ds.window(size=n_past + n_future, shift=shift, drop_remainder=True)
    ds = ds.flat_map(lambda w: w.batch(n_past + n_future))
    ds = ds.map(lambda w: (w[:n_past], w[n_past:]))
    return ds.batch(batch_size).prefetch(1)


def solution_model(epochs=40):
    rows = []
    with open("household_power_consumption.csv") as csvfile:
        reader = csv.reader(csvfile, delimiter=",")
        next(reader)
        for row in reader:
            rows.append([float(value) for value in row[1:]])
    data = np.array(rows)

    N_FEATURES = data.shape[1]
    data = normalize_series(data, data.min(axis=0), data.max(axis=0))

    SPLIT_TIME = int(len(data) * 0.8)
    x_train = data[:SPLIT_TIME]
    x_valid = data[SPLIT_TIME:]

    BATCH_SIZE = 32
    N_PAST = 24
    N_FUTURE = 24
    SHIFT = 1

    tf.keras.backend.clear_session()
    tf.keras.utils.set_random_seed(42)

    train_set = windowed_dataset(x_train, BATCH_SIZE, N_PAST, N_FUTURE, SHIFT)
    valid_set = windowed_dataset(x_valid, BATCH_SIZE, N_PAST, N_FUTURE, SHIFT)
    # Shuffle the (past, future) windows across the whole training part.
    train_set = train_set.unbatch().shuffle(SPLIT_TIME).batch(BATCH_SIZE).prefetch(1)

    model = tf.keras.models.Sequential(
        [
            tf.keras.Input(shape=(N_PAST, N_FEATURES)),
            tf.keras.layers.Conv1D(32, kernel_size=5, activation="relu"),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(128, activation="relu"),
            tf.keras.layers.Dense(N_FUTURE * N_FEATURES),
            tf.keras.layers.Reshape((N_FUTURE, N_FEATURES)),
        ]
    )
    model.compile(
        loss="mae", optimizer=tf.keras.optimizers.Adam(learning_rate=1e-3), metrics=["mae"]
    )
    stop = tf.keras.callbacks.EarlyStopping(
        monitor="val_mae", patience=5, restore_best_weights=True
    )
    model.fit(train_set, validation_data=valid_set, epochs=epochs, callbacks=[stop], verbose=2)
    model.summary()
    return model


if __name__ == "__main__":
    model = solution_model()
    model.save("mymodel.h5")
