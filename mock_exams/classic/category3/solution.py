"""Reference solution for the classic Category 3, horses or humans (shown after the session).

Not calibrated on the real pictures (they cannot be downloaded where tfexam was calibrated): the
course's network for this dataset, with augmentation against overfitting.
"""

import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator


def solution_model(epochs=15):
    train_datagen = ImageDataGenerator(
        rescale=1.0 / 255,
        rotation_range=20,
        width_shift_range=0.2,
        height_shift_range=0.2,
        zoom_range=0.2,
        horizontal_flip=True,
        fill_mode="nearest",
    )
    validation_datagen = ImageDataGenerator(rescale=1.0 / 255)
    train_generator = train_datagen.flow_from_directory(
        "tmp/horse-or-human/", target_size=(300, 300), class_mode="binary", batch_size=32
    )
    validation_generator = validation_datagen.flow_from_directory(
        "tmp/testdata/", target_size=(300, 300), class_mode="binary", batch_size=32
    )

    model = tf.keras.models.Sequential(
        [
            tf.keras.Input(shape=(300, 300, 3)),
            tf.keras.layers.Conv2D(16, (3, 3), activation="relu"),
            tf.keras.layers.MaxPooling2D(2, 2),
            tf.keras.layers.Conv2D(32, (3, 3), activation="relu"),
            tf.keras.layers.MaxPooling2D(2, 2),
            tf.keras.layers.Conv2D(64, (3, 3), activation="relu"),
            tf.keras.layers.MaxPooling2D(2, 2),
            tf.keras.layers.Conv2D(64, (3, 3), activation="relu"),
            tf.keras.layers.MaxPooling2D(2, 2),
            tf.keras.layers.Conv2D(64, (3, 3), activation="relu"),
            tf.keras.layers.MaxPooling2D(2, 2),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dropout(0.3),
            tf.keras.layers.Dense(256, activation="relu"),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(
        loss="binary_crossentropy",
        optimizer=tf.keras.optimizers.RMSprop(learning_rate=1e-4),
        metrics=["accuracy"],
    )
    model.fit(
        train_generator,
        epochs=epochs,
        validation_data=validation_generator,
        callbacks=[
            tf.keras.callbacks.EarlyStopping(
                monitor="val_accuracy", patience=5, restore_best_weights=True
            )
        ],
        verbose=2,
    )
    model.summary()
    return model


if __name__ == "__main__":
    model = solution_model()
    model.save("mymodel.h5")
