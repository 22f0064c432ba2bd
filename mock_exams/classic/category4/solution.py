"""Reference solution for the classic Category 4, sarcasm (shown after the session ends)."""

import json

import numpy as np
import tensorflow as tf


def solution_model():
    vocab_size = 1000
    embedding_dim = 16
    max_length = 120
    trunc_type = "post"
    padding_type = "post"
    oov_tok = "<OOV>"
    training_size = 20000

    with open("sarcasm.json") as f:
        datastore = json.load(f)
    sentences = [item["headline"] for item in datastore]
    labels = [item["is_sarcastic"] for item in datastore]
    training_sentences = sentences[0:training_size]
    testing_sentences = sentences[training_size:]
    training_labels = np.array(labels[0:training_size])
    testing_labels = np.array(labels[training_size:])

    tokenizer = tf.keras.preprocessing.text.Tokenizer(num_words=vocab_size, oov_token=oov_tok)
    tokenizer.fit_on_texts(training_sentences)
    training_padded = tf.keras.preprocessing.sequence.pad_sequences(
        tokenizer.texts_to_sequences(training_sentences),
        maxlen=max_length,
        padding=padding_type,
        truncating=trunc_type,
    )
    testing_padded = tf.keras.preprocessing.sequence.pad_sequences(
        tokenizer.texts_to_sequences(testing_sentences),
        maxlen=max_length,
        padding=padding_type,
        truncating=trunc_type,
    )

    tf.keras.utils.set_random_seed(4)  # reproducible training; not needed to pass
    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=[max_length]),
            tf.keras.layers.Embedding(vocab_size, embedding_dim),
            tf.keras.layers.Conv1D(64, 5, activation="relu"),
            tf.keras.layers.GlobalMaxPooling1D(),
            tf.keras.layers.Dense(24, activation="relu"),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(
        training_padded,
        training_labels,
        epochs=30,
        validation_data=(testing_padded, testing_labels),
        callbacks=[
            tf.keras.callbacks.EarlyStopping(
                monitor="val_accuracy", patience=3, restore_best_weights=True
            )
        ],
        verbose=2,
    )
    model.summary()
    return model


if __name__ == "__main__":
    model = solution_model()
    model.save("mymodel.h5")
