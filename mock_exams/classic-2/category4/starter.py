# ======================================================================
# There are 5 questions in this exam with increasing difficulty from 1-5.
# Please note that the weight of the grade for the question is relative
# to its difficulty. So your Category 1 question will score significantly
# less than your Category 5 question.
#
# Don't use lambda layers in your model.
# You do not need them to solve the question.
# Lambda layers are not supported by the grading infrastructure.
#
# You must use the Submit and Test button to submit your model
# at least once in this category before you finally submit your exam,
# otherwise you will score zero for this category.
#
# The grader is very strict about the shape requirements: keep the
# input and output shapes exactly as stated below.
# Print model.summary() to check your model before you save it.
# ======================================================================
#
# NLP QUESTION
#
# Build and train a classifier for the BBC news archive in bbc-text.csv
# (next to this file): news articles in 5 categories. It is the file the
# real exam downloaded from
# https://storage.googleapis.com/download.tensorflow.org/data/bbc-text.csv,
# less 300 articles that the grader keeps for itself. Your classifier
# should have a final layer with 6 neurons activated by softmax as shown.
# The labels are numbered by a Tokenizer fitted on the category names:
# sport 1, business 2, politics 3, tech 4, entertainment 5 (0 is never
# used). The model will be tested against a number of articles that the
# network hasn't previously seen, and you will be scored on whether it
# puts them in the right category.
#
# The grader prepares its articles exactly as below: the stopwords
# removed, a Tokenizer fitted on the first training_portion of the
# articles, with the values marked DO NOT CHANGE. The model takes the
# padded sequences (120 word ids).
#
import csv

import numpy as np
import tensorflow as tf


def solution_model():
    # DO NOT CHANGE THIS CODE OR THE TESTS MAY NOT WORK
    vocab_size = 1000  # DO NOT CHANGE
    embedding_dim = 16  # DO NOT CHANGE
    max_length = 120  # DO NOT CHANGE
    trunc_type = "post"  # DO NOT CHANGE
    padding_type = "post"  # DO NOT CHANGE
    oov_tok = "<OOV>"  # DO NOT CHANGE
    training_portion = 0.8  # DO NOT CHANGE

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

    training_sequences = tokenizer.texts_to_sequences(training_sentences)
    training_padded = tf.keras.preprocessing.sequence.pad_sequences(
        training_sequences, maxlen=max_length, padding=padding_type, truncating=trunc_type
    )
    validation_sequences = tokenizer.texts_to_sequences(validation_sentences)
    validation_padded = tf.keras.preprocessing.sequence.pad_sequences(
        validation_sequences, maxlen=max_length, padding=padding_type, truncating=trunc_type
    )

    # The labels as numbers 1-5 (sport 1, business 2, politics 3, tech 4, entertainment 5).
    label_tokenizer = tf.keras.preprocessing.text.Tokenizer()
    label_tokenizer.fit_on_texts(labels)
    training_label_seq = np.array(label_tokenizer.texts_to_sequences(training_labels))
    validation_label_seq = np.array(label_tokenizer.texts_to_sequences(validation_labels))

    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=[max_length]),  # DO NOT CHANGE the input shape
            # YOUR CODE HERE. KEEP THIS OUTPUT LAYER INTACT OR TESTS MAY FAIL
            tf.keras.layers.Dense(6, activation="softmax"),
        ]
    )
    # YOUR CODE HERE: this skeleton saves a gradable model, but it has not
    # learnt anything yet. Compile it and fit it on training_padded and
    # training_label_seq (validation_padded and validation_label_seq are
    # for validation).
    model.summary()
    return model


# Note that you'll need to save your model as a .h5 like this.
# When you save it, tfexam sends it to the grader (the exam's
# "Submit and Test") and shows you the score.
if __name__ == "__main__":
    model = solution_model()
    model.save("mymodel.h5")
