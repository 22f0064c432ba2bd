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
# Build and train a neural network to predict the next day's energy
# demand from the 30 days before it, using the energy_demand.csv file
# in this folder (one row per day: index, date, demand in MWh).
#
# The series is normalised with its minimum and maximum below, and the
# model takes windows of WINDOW_SIZE normalised values (shape [30, 1])
# and returns the next normalised value (shape [1]).
#
# Your model is scored on the days that follow the end of the file
# with the mean absolute error (MAE) on the normalised series:
# score = min(5, ceil(8 - 100 * MAE)), and never below 0,
# so you need an MAE of 0.04 or less for full marks.
#
# Values marked DO NOT CHANGE must stay exactly as they are.
#
import csv

import numpy as np
import tensorflow as tf

WINDOW_SIZE = 30  # DO NOT CHANGE
SPLIT_TIME = 2500  # DO NOT CHANGE
BATCH_SIZE = 32  # DO NOT CHANGE
SHUFFLE_BUFFER_SIZE = 1000  # DO NOT CHANGE


# DO NOT CHANGE THIS CODE
# Turns a series into shuffled batches of (30-day window, next value).
def windowed_dataset(series, window_size, batch_size, shuffle_buffer):
    series = tf.expand_dims(series, axis=-1)
    ds = tf.data.Dataset.from_tensor_slices(series)
    ds = ds.window(window_size + 1, shift=1, drop_remainder=True)
    ds = ds.flat_map(lambda w: w.batch(window_size + 1))
    ds = ds.shuffle(shuffle_buffer)
    ds = ds.map(lambda w: (w[:-1], w[-1:]))
    return ds.batch(batch_size).prefetch(1)


def solution_model():
    time_step = []
    demand = []

    with open("energy_demand.csv") as csvfile:
        reader = csv.reader(csvfile, delimiter=",")
        next(reader)
        for row in reader:
            time_step.append(int(row[0]))
            demand.append(float(row[2]))

    series = np.array(demand)
    time = np.array(time_step)

    # DO NOT CHANGE THIS CODE
    # This is the normalization function: the grader scales the days
    # after the end of the file with the same minimum and maximum.
    min = np.min(series)
    max = np.max(series)
    series = (series - min) / (max - min)

    # The data is split into training and validation sets at time
    # step SPLIT_TIME.
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
    valid_set = windowed_dataset(
        x_valid,
        window_size=WINDOW_SIZE,
        batch_size=BATCH_SIZE,
        shuffle_buffer=SHUFFLE_BUFFER_SIZE,
    )

    # YOUR CODE HERE: this skeleton saves a gradable model, but it has not
    # learnt anything yet. Add layers (Dense, Conv1D, LSTM...), compile it
    # and fit it on train_set (valid_set is there to check it).
    model = tf.keras.models.Sequential(
        [
            tf.keras.Input(shape=[WINDOW_SIZE, 1]),  # DO NOT CHANGE the input shape
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(1),  # DO NOT CHANGE the output shape
        ]
    )
    model.summary()

    # To check your model the way the grader does (MAE on normalised values):
    # model.compile(loss="mae", optimizer="adam", metrics=["mae"])
    # print(model.evaluate(valid_set))
    return model


# Note that you'll need to save your model as a .h5 like this.
# When you save it, tfexam sends it to the grader (the exam's
# "Submit and Test") and shows you the score.
if __name__ == "__main__":
    model = solution_model()
    model.save("mymodel.h5")
