"""Reference solution for Category 4, news topics (shown to the candidate after the session)."""

import csv

import numpy as np
import tensorflow as tf


def solution_model():
    vocab_size = 1000
    embedding_dim = 16
    max_length = 120
    trunc_type = "post"
    padding_type = "post"
    oov_tok = "<OOV>"
    training_portion = 0.8

    sentences = []
    labels = []
    stopwords = [
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any",
        "are", "as", "at", "be", "because", "been", "before", "being", "below", "between",
        "both", "but", "by", "could", "did", "do", "does", "doing", "down", "during", "each",
        "few", "for", "from", "further", "had", "has", "have", "having", "he", "he'd", "he'll",
        "he's", "her", "here", "here's", "hers", "herself", "him", "himself", "his", "how",
        "how's", "i", "i'd", "i'll", "i'm", "i've", "if", "in", "into", "is", "it", "it's",
        "its", "itself", "let's", "me", "more", "most", "my", "myself", "nor", "of", "on",
        "once", "only", "or", "other", "ought", "our", "ours", "ourselves", "out", "over", "own",
        "same", "she", "she'd", "she'll", "she's", "should", "so", "some", "such", "than",
        "that", "that's", "the", "their", "theirs", "them", "themselves", "then", "there",
        "there's", "these", "they", "they'd", "they'll", "they're", "they've", "this", "those",
        "through", "to", "too", "under", "until", "up", "very", "was", "we", "we'd", "we'll",
        "we're", "we've", "were", "what", "what's", "when", "when's", "where", "where's",
        "which", "while", "who", "who's", "whom", "why", "why's", "with", "would", "you",
        "you'd", "you'll", "you're", "you've", "your", "yours", "yourself", "yourselves",
    ]  # fmt: skip
    with open("bbc-text.csv", encoding="utf-8") as csvfile:
        reader = csv.reader(csvfile, delimiter=",")
        next(reader)
        for row in reader:
            labels.append(row[0])
            sentence = row[1]
            for word in stopwords:
                token = " " + word + " "
                sentence = sentence.replace(token, " ")
                sentence = sentence.replace("  ", " ")
            sentences.append(sentence)

    train_size = int(len(sentences) * training_portion)
    training_sentences = sentences[0:train_size]
    training_labels = labels[0:train_size]
    validation_sentences = sentences[train_size:]
    validation_labels = labels[train_size:]

    tokenizer = tf.keras.preprocessing.text.Tokenizer(num_words=vocab_size, oov_token=oov_tok)
    tokenizer.fit_on_texts(training_sentences)
    training_padded = tf.keras.preprocessing.sequence.pad_sequences(
        tokenizer.texts_to_sequences(training_sentences),
        maxlen=max_length,
        padding=padding_type,
        truncating=trunc_type,
    )
    validation_padded = tf.keras.preprocessing.sequence.pad_sequences(
        tokenizer.texts_to_sequences(validation_sentences),
        maxlen=max_length,
        padding=padding_type,
        truncating=trunc_type,
    )

    # sport 1, business 2, politics 3, tech 4, entertainment 5; label 0 is never used
    label_tokenizer = tf.keras.preprocessing.text.Tokenizer()
    label_tokenizer.fit_on_texts(labels)
    training_label_seq = np.array(label_tokenizer.texts_to_sequences(training_labels))
    validation_label_seq = np.array(label_tokenizer.texts_to_sequences(validation_labels))

    tf.keras.utils.set_random_seed(4)  # reproducible training; not needed to pass
    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=[max_length]),
            tf.keras.layers.Embedding(vocab_size, embedding_dim),
            tf.keras.layers.GlobalAveragePooling1D(),
            tf.keras.layers.Dense(24, activation="relu"),
            tf.keras.layers.Dense(6, activation="softmax"),
        ]
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(
        training_padded,
        training_label_seq,
        epochs=30,
        validation_data=(validation_padded, validation_label_seq),
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
