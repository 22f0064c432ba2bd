"""Reference solution for the classic Category 2, Fashion-MNIST (shown after the session ends)."""

import numpy as np
import tensorflow as tf


def load_data(path="fashion_mnist.npz"):
    with np.load(path) as data:
        return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])


def solution_model(epochs=6):
    (x_train, y_train), (x_test, y_test) = load_data()
    x_train = x_train / 255.0
    x_test = x_test / 255.0

    # A small CNN. The input stays (28, 28): a Reshape layer (not a Lambda) adds the channel axis.
    model = tf.keras.models.Sequential(
        [
            tf.keras.Input(shape=(28, 28)),
            tf.keras.layers.Reshape((28, 28, 1)),
            tf.keras.layers.Conv2D(32, (3, 3), activation="relu"),
            tf.keras.layers.MaxPooling2D(2, 2),
            tf.keras.layers.Conv2D(64, (3, 3), activation="relu"),
            tf.keras.layers.MaxPooling2D(2, 2),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dropout(0.25),
            tf.keras.layers.Dense(128, activation="relu"),
            tf.keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(
        x_train,
        y_train,
        epochs=epochs,
        batch_size=64,
        validation_data=(x_test, y_test),
        verbose=2,
    )
    model.summary()
    return model


if __name__ == "__main__":
    model = solution_model()
    model.save("mymodel.h5")
