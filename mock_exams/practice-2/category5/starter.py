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
# TIME SERIES QUESTION
#
# Build and train a neural network to predict time indexed variables of
# the multivariate household electric power consumption time series.
# Using a window of past 24 observations of the 7 variables, the model
# should be trained to predict the next 24 observations of the 7 variables.
#
# ======================================================================
#
# ABOUT THE DATASET
#
# The file household_power_consumption.csv in this folder holds one
# household's electricity use, one row per hour for 411 days: the
# datetime, then 7 features (global active power, global reactive
# power, voltage, global intensity and three sub-meterings: kitchen,
# laundry room, water heater and air conditioner). There are no
# missing values.
#
# ======================================================================
#
# INSTRUCTIONS
#
# Complete the code in solution_model(). Your model will fail to be
# graded if the following criteria are not met:
#
# 1. Model input shape must be (BATCH_SIZE, N_PAST = 24, N_FEATURES = 7):
#    a window of the past 24 observations of the 7 features.
# 2. Model output shape must be (BATCH_SIZE, N_FUTURE = 24, N_FEATURES = 7):
#    the next 24 observations of the same 7 features.
# 3. Don't change the values marked DO NOT CHANGE (SPLIT_TIME,
#    N_FEATURES, BATCH_SIZE, N_PAST, N_FUTURE, SHIFT).
# 4. Code for normalizing the data is provided - don't change it.
#    The grader normalizes the hours after the end of the file with the
#    same minimum and maximum, so changing it will affect your score.
# 5. Code for converting the dataset into windows is provided - don't
#    change it.
#
# Your model is scored on the hours that follow the end of the file
# with the mean absolute error (MAE) over all 24 x 7 predicted values
# of the normalized series:
# score = min(5, ceil(18 - 200 * MAE)), and never below 0,
# so you need an MAE of 0.07 or less for full marks.
#
# Note that windowed_dataset() returns the windows in time order.
#
import csv

import numpy as np
import tensorflow as tf


# This function normalizes the dataset using min max scaling.
# DO NOT CHANGE THIS CODE
def normalize_series(data, min, max):
    data = data - min
    data = data / (max - min)
    return data


# This function maps the time series into windows of features and
# targets. The first window starts at the first row of the series and
# each next window starts SHIFT rows later. For a window of n_past
# observations of all 7 variables, the target is the next n_future
# observations of these variables, after the end of the window.
# DO NOT CHANGE THIS CODE
def windowed_dataset(series, batch_size, n_past=24, n_future=24, shift=1):
    ds = tf.data.Dataset.from_tensor_slices(series)
    ds = ds.window(size=n_past + n_future, shift=shift, drop_remainder=True)
    ds = ds.flat_map(lambda w: w.batch(n_past + n_future))
    ds = ds.map(lambda w: (w[:n_past], w[n_past:]))
    return ds.batch(batch_size).prefetch(1)


def solution_model():
    # Reads the dataset from the CSV: skips the header and the datetime
    # column, keeps the 7 features.
    rows = []
    with open("household_power_consumption.csv") as csvfile:
        reader = csv.reader(csvfile, delimiter=",")
        next(reader)
        for row in reader:
            rows.append([float(value) for value in row[1:]])
    data = np.array(rows)

    # Number of features in the dataset. All features are used as
    # predictors to predict all features at future time steps.
    N_FEATURES = data.shape[1]  # DO NOT CHANGE THIS

    # Normalizes the data with each feature's own minimum and maximum.
    # DO NOT CHANGE THIS CODE
    data = normalize_series(data, data.min(axis=0), data.max(axis=0))

    # Splits the data into training and validation sets.
    SPLIT_TIME = int(len(data) * 0.8)  # DO NOT CHANGE THIS
    x_train = data[:SPLIT_TIME]
    x_valid = data[SPLIT_TIME:]

    BATCH_SIZE = 32  # DO NOT CHANGE THIS
    # Number of past time steps based on which future observations
    # are predicted.
    N_PAST = 24  # DO NOT CHANGE THIS
    # Number of future time steps which are to be predicted.
    N_FUTURE = 24  # DO NOT CHANGE THIS
    # By how many positions the window slides to create a new window.
    SHIFT = 1  # DO NOT CHANGE THIS

    # Code to create windowed train and validation datasets.
    train_set = windowed_dataset(
        series=x_train, batch_size=BATCH_SIZE, n_past=N_PAST, n_future=N_FUTURE, shift=SHIFT
    )
    valid_set = windowed_dataset(
        series=x_valid, batch_size=BATCH_SIZE, n_past=N_PAST, n_future=N_FUTURE, shift=SHIFT
    )

    # YOUR CODE HERE: this skeleton saves a gradable model, but it has not
    # learnt anything yet. Add layers (Dense, Conv1D, LSTM...), compile it
    # and fit it on train_set (valid_set is there to check it).
    model = tf.keras.models.Sequential(
        [
            # DO NOT CHANGE the input shape
            tf.keras.Input(shape=(N_PAST, N_FEATURES)),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(N_FUTURE * N_FEATURES),
            # DO NOT CHANGE the output shape
            tf.keras.layers.Reshape((N_FUTURE, N_FEATURES)),
        ]
    )
    model.summary()

    # To check your model the way the grader does (MAE on normalized values):
    # model.compile(loss="mae", optimizer="adam", metrics=["mae"])
    # print(model.evaluate(valid_set))
    return model


# Note that you'll need to save your model as a .h5 like this.
# When you save it, tfexam sends it to the grader (the exam's
# "Submit and Test") and shows you the score.
if __name__ == "__main__":
    model = solution_model()
    model.save("mymodel.h5")
