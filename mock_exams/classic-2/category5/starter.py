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
# Time Series Question
#
# Build and train a neural network to predict the daily minimum
# temperature in Melbourne, using daily-min-temperatures.csv next to this
# file: the file the course downloaded from
# https://raw.githubusercontent.com/jbrownlee/Datasets/master/daily-min-temperatures.csv,
# without 1990, which the grader keeps for itself (1981-1989 are here).
#
# The model takes windows of WINDOW_SIZE = 64 normalised days (shape
# [64, 1]; an input of [None, 1] works too) and returns the next day's
# normalised value (shape [1]), or a sequence with one forecast per step
# (shape [None, 1], e.g. from windows paired with w[1:]), which is graded
# on its last step.
#
# Your model is scored on every day of 1990 with the mean absolute error
# (MAE) on the normalised series: an MAE of 0.075 or less (about 2 degrees
# C) scores 5 (see prompt.md for the table).
#
# Values marked DO NOT CHANGE must stay exactly as they are.
#
import csv

import numpy as np
import tensorflow as tf

SPLIT_TIME = 2500  # DO NOT CHANGE
WINDOW_SIZE = 64  # DO NOT CHANGE
BATCH_SIZE = 256  # DO NOT CHANGE
SHUFFLE_BUFFER_SIZE = 1000  # DO NOT CHANGE


# DO NOT CHANGE THIS CODE
# Turns a series into shuffled batches of (64-day window, next value).
def windowed_dataset(series, window_size, batch_size, shuffle_buffer):
    series = tf.expand_dims(series, axis=-1)
    ds = tf.data.Dataset.from_tensor_slices(series)
    ds = ds.window(window_size + 1, shift=1, drop_remainder=True)
    ds = ds.flat_map(lambda w: w.batch(window_size + 1))
    ds = ds.shuffle(shuffle_buffer)
    ds = ds.map(lambda w: (w[:-1], w[-1:]))
    return ds.batch(batch_size).prefetch(1)


def solution_model():
    times = []
    temperatures = []

    with open("daily-min-temperatures.csv") as csvfile:
        reader = csv.reader(csvfile, delimiter=",")
        next(reader)
        for step, row in enumerate(reader):
            times.append(step)
            temperatures.append(float(row[1]))

    series = np.array(temperatures)
    time = np.array(times)

    # Normalization Function. DO NOT CHANGE THIS CODE
    min = np.min(series)
    max = np.max(series)
    series -= min
    series /= max

    # The data is split into training and validation sets at time step
    # SPLIT_TIME. DO NOT CHANGE THIS CODE
    time_train = time[:SPLIT_TIME]
    x_train = series[:SPLIT_TIME]
    time_valid = time[SPLIT_TIME:]
    x_valid = series[SPLIT_TIME:]

    train_set = windowed_dataset(
        x_train,
        window_size=WINDOW_SIZE,
        batch_size=BATCH_SIZE,
        shuffle_buffer=SHUFFLE_BUFFER_SIZE,
    )

    # YOUR CODE HERE: this skeleton saves a gradable model, but it has not
    # learnt anything yet. Add layers (Conv1D, LSTM, Dense...), compile it
    # and fit it on train_set. x_valid holds the 785 days after SPLIT_TIME
    # for you to check your model on.
    model = tf.keras.models.Sequential(
        [
            tf.keras.Input(shape=[WINDOW_SIZE, 1]),  # DO NOT CHANGE the input shape
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(1),  # one value (or one per step)
        ]
    )
    model.summary()

    # THIS IS HOW THE GRADER MEASURES YOUR MODEL. To test it before you
    # save it (MAE on the normalised series, 0.075 or less for 5/5):
    # valid_set = windowed_dataset(series[SPLIT_TIME - WINDOW_SIZE :],
    #                              WINDOW_SIZE, BATCH_SIZE, 1)
    # model.compile(loss="mae", optimizer="adam")
    # print(model.evaluate(valid_set))
    return model


# Note that you'll need to save your model as a .h5 like this.
# When you save it, tfexam sends it to the grader (the exam's
# "Submit and Test") and shows you the score.
if __name__ == "__main__":
    model = solution_model()
    model.save("mymodel.h5")
