"""Reference solution for classic-2's Category 3, rock paper scissors (shown after the session).

Not calibrated on the real pictures (they cannot be downloaded where tfexam was calibrated): the
course's network for this dataset, with augmentation and a validation split of the training
pictures.
"""

import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator


def solution_model(epochs=15):
    training_datagen = ImageDataGenerator(
        rescale=1.0 / 255,
        rotation_range=40,
        width_shift_range=0.2,
        height_shift_range=0.2,
        shear_range=0.2,
        zoom_range=0.2,
        horizontal_flip=True,
        fill_mode="nearest",
        validation_split=0.1,
    )
    common = dict(target_size=(150, 150), class_mode="categorical", batch_size=32)
    train_generator = training_datagen.flow_from_directory("tmp/rps/", subset="training", **common)
    validation_generator = training_datagen.flow_from_directory(
        "tmp/rps/", subset="validation", **common
    )

    model = tf.keras.models.Sequential(
        [
            tf.keras.Input(shape=(150, 150, 3)),
            tf.keras.layers.Conv2D(64, (3, 3), activation="relu"),
            tf.keras.layers.MaxPooling2D(2, 2),
            tf.keras.layers.Conv2D(64, (3, 3), activation="relu"),
            tf.keras.layers.MaxPooling2D(2, 2),
            tf.keras.layers.Conv2D(128, (3, 3), activation="relu"),
            tf.keras.layers.MaxPooling2D(2, 2),
            tf.keras.layers.Conv2D(128, (3, 3), activation="relu"),
            tf.keras.layers.MaxPooling2D(2, 2),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dropout(0.5),
            tf.keras.layers.Dense(512, activation="relu"),
            tf.keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    model.fit(
        train_generator,
        epochs=epochs,
        validation_data=validation_generator,
        callbacks=[
            tf.keras.callbacks.EarlyStopping(
                monitor="val_accuracy", patience=4, restore_best_weights=True
            )
        ],
        verbose=2,
    )
    model.summary()
    return model


if __name__ == "__main__":
    model = solution_model()
    model.save("mymodel.h5")
