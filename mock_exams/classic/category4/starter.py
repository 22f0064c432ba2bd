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
# Build and train a classifier for the sarcasm dataset.
# The classifier should have a final layer with 1 neuron activated by
# sigmoid as shown. It will be tested against a number of sentences
# that the network hasn't previously seen and you will be scored on
# whether sarcasm was correctly detected in those sentences.
#
# The dataset is sarcasm.json next to this file: the file the real exam
# downloaded from
# https://storage.googleapis.com/download.tensorflow.org/data/sarcasm.json,
# less 3,000 headlines that the grader keeps for itself.
#
# The grader tokenises its headlines with a Tokenizer fitted on the
# first training_size headlines, with the values marked DO NOT CHANGE,
# so the model takes padded sequences of 120 word ids.
#
import json

import numpy as np
import tensorflow as tf


def solution_model():
    # DO NOT CHANGE THIS CODE OR THE TESTS MAY NOT WORK
    vocab_size = 1000
    embedding_dim = 16
    max_length = 120
    trunc_type = "post"
    padding_type = "post"
    oov_tok = "<OOV>"
    training_size = 20000

    with open("sarcasm.json") as f:
        datastore = json.load(f)

    sentences = []
    labels = []
    for item in datastore:
        sentences.append(item["headline"])
        labels.append(item["is_sarcastic"])

    training_sentences = sentences[0:training_size]
    testing_sentences = sentences[training_size:]
    training_labels = np.array(labels[0:training_size])
    testing_labels = np.array(labels[training_size:])

    # YOUR CODE HERE: the grader's tokenizer is this one (DO NOT CHANGE).
    tokenizer = tf.keras.preprocessing.text.Tokenizer(num_words=vocab_size, oov_token=oov_tok)
    tokenizer.fit_on_texts(training_sentences)

    training_sequences = tokenizer.texts_to_sequences(training_sentences)
    training_padded = tf.keras.preprocessing.sequence.pad_sequences(
        training_sequences, maxlen=max_length, padding=padding_type, truncating=trunc_type
    )
    testing_sequences = tokenizer.texts_to_sequences(testing_sentences)
    testing_padded = tf.keras.preprocessing.sequence.pad_sequences(
        testing_sequences, maxlen=max_length, padding=padding_type, truncating=trunc_type
    )

    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=[max_length]),  # DO NOT CHANGE the input shape
            # YOUR CODE HERE. KEEP THIS OUTPUT LAYER INTACT OR TESTS MAY FAIL
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    # YOUR CODE HERE: this skeleton saves a gradable model, but it has not
    # learnt anything yet. Compile it and fit it on training_padded and
    # training_labels (testing_padded and testing_labels are for validation).
    model.summary()
    return model


# Note that you'll need to save your model as a .h5 like this.
# When you save it, tfexam sends it to the grader (the exam's
# "Submit and Test") and shows you the score.
if __name__ == "__main__":
    model = solution_model()
    model.save("mymodel.h5")
