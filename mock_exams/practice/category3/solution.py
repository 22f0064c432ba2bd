"""Reference solution for Category 3 (shown to the candidate after the session ends).

A small CNN with batch normalisation, trained on augmented pictures: about 12 s of CPU time per
epoch, 25 epochs at most (early stopping keeps the best epoch on the validation pictures).
"""

import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

TRAINING_DIR = "images/train/"
VALIDATION_DIR = "images/validation/"
IMAGE_SIZE = (150, 150)
BATCH_SIZE = 32


def conv_block(filters):
    # Batch normalisation makes this small network start learning within a few epochs.
    return [
        tf.keras.layers.Conv2D(filters, (3, 3), use_bias=False),
        tf.keras.layers.BatchNormalization(momentum=0.9),
        tf.keras.layers.Activation("relu"),
        tf.keras.layers.MaxPooling2D(2, 2),
    ]


def solution_model(epochs=25):
    # The hands can be anywhere, of any size, turned, left or right: augmentation shows the
    # network more of that than 1,200 pictures do. No vertical flip: arms never come from the top.
    training_datagen = ImageDataGenerator(
        rescale=1.0 / 255,
        rotation_range=40,
        width_shift_range=0.2,
        height_shift_range=0.2,
        zoom_range=0.2,
        horizontal_flip=True,
        fill_mode="nearest",
    )
    validation_datagen = ImageDataGenerator(rescale=1.0 / 255)
    train_generator = training_datagen.flow_from_directory(
        TRAINING_DIR, target_size=IMAGE_SIZE, class_mode="categorical", batch_size=BATCH_SIZE
    )
    validation_generator = validation_datagen.flow_from_directory(
        VALIDATION_DIR, target_size=IMAGE_SIZE, class_mode="categorical", batch_size=BATCH_SIZE
    )

    model = tf.keras.models.Sequential(
        [
            tf.keras.Input(shape=(150, 150, 3)),
            *conv_block(16),
            *conv_block(32),
            *conv_block(64),
            *conv_block(64),
            tf.keras.layers.Conv2D(128, (3, 3), activation="relu"),
            tf.keras.layers.GlobalMaxPooling2D(),
            tf.keras.layers.Dropout(0.3),
            tf.keras.layers.Dense(64, activation="relu"),
            tf.keras.layers.Dense(3, activation="softmax"),
        ]
    )
    model.compile(
        loss="categorical_crossentropy",
        optimizer=tf.keras.optimizers.Adam(learning_rate=1e-3),
        metrics=["accuracy"],
    )
    stop = tf.keras.callbacks.EarlyStopping(
        monitor="val_accuracy", patience=6, restore_best_weights=True
    )
    model.fit(
        train_generator,
        validation_data=validation_generator,
        epochs=epochs,
        callbacks=[stop],
        verbose=2,
    )
    model.summary()
    return model


if __name__ == "__main__":
    model = solution_model()
    model.save("mymodel.h5")
