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
# Build and train a neural network to predict the monthly mean total
# sunspot number, using the sunspots.csv file next to this file (the
# file the real exam downloaded from
# https://storage.googleapis.com/download.tensorflow.org/data/Sunspots.csv,
# without its last 100 months, which the grader keeps for itself).
#
# Your neural network must have an MAE of 0.12 or less on the normalized
# dataset for top marks: score = min(5, ceil(17 - 100 * MAE)), as in the
# real exam, on every month from split_time to the end of the whole file
# (the real tester's months; the last 100 are not in sunspots.csv).
# The model takes windows of normalised months (input [None, 1]) and
# returns either a sequence, one forecast per step, graded on its last
# step as the real tester read it (output [None, 1]), or one value per
# window (output [1]). Beside that score you also see the strict view:
# the MAE on the 100 hidden months against "repeat the last month"
# (see prompt.md).
#
# Values marked DO NOT CHANGE must stay exactly as they are.
#
import csv

import numpy as np
import tensorflow as tf


# DO NOT CHANGE THIS CODE
# Turns a series into shuffled batches of (30-month window, the same
# window one month later): a label for every step of the window.
def windowed_dataset(series, window_size, batch_size, shuffle_buffer):
    series = tf.expand_dims(series, axis=-1)
    ds = tf.data.Dataset.from_tensor_slices(series)
    ds = ds.window(window_size + 1, shift=1, drop_remainder=True)
    ds = ds.flat_map(lambda w: w.batch(window_size + 1))
    ds = ds.shuffle(shuffle_buffer)
    ds = ds.map(lambda w: (w[:-1], w[1:]))
    return ds.batch(batch_size).prefetch(1)


def solution_model():
    time_step = []
    sunspots = []

    with open("sunspots.csv") as csvfile:
        reader = csv.reader(csvfile, delimiter=",")
        next(reader)
        for row in reader:
            sunspots.append(float(row[2]))
            time_step.append(int(row[0]))

    series = np.array(sunspots)

    # Normalization Function. DO NOT CHANGE THIS CODE
    min = np.min(series)
    max = np.max(series)
    series -= min
    series /= max
    time = np.array(time_step)

    # The data should be split into training and validation sets at time
    # step 3000. DO NOT CHANGE THIS CODE
    split_time = 3000

    time_train = time[:split_time]
    x_train = series[:split_time]
    time_valid = time[split_time:]
    x_valid = series[split_time:]

    # DO NOT CHANGE THIS CODE
    window_size = 30
    batch_size = 32
    shuffle_buffer_size = 1000

    train_set = windowed_dataset(
        x_train,
        window_size=window_size,
        batch_size=batch_size,
        shuffle_buffer=shuffle_buffer_size,
    )

    # YOUR CODE HERE: this skeleton saves a gradable model, but it has not
    # learnt anything yet. Add layers (Conv1D, LSTM, Dense...), compile it
    # and fit it on train_set. Whatever your first layer is, the input
    # shape is [None, 1] with the windowed_dataset above. x_valid holds the
    # 135 months after split_time for you to check your model on.
    model = tf.keras.models.Sequential(
        [
            tf.keras.Input(shape=[None, 1]),  # DO NOT CHANGE the input shape
            tf.keras.layers.LSTM(16, return_sequences=True),
            tf.keras.layers.Dense(1),  # one value per step (or per window)
        ]
    )
    model.summary()

    # THIS CODE IS USED IN THE TESTER FOR FORECASTING (the real tester;
    # tfexam runs it on the whole file, whose last 100 months you do not
    # have). A sequence output is read on its last step:
    # def model_forecast(model, series, window_size):
    #     ds = tf.data.Dataset.from_tensor_slices(series)
    #     ds = ds.window(window_size, shift=1, drop_remainder=True)
    #     ds = ds.flat_map(lambda w: w.batch(window_size))
    #     ds = ds.batch(32).prefetch(1)
    #     forecast = model.predict(ds)
    #     return forecast
    # rnn_forecast = model_forecast(model, series[..., np.newaxis], window_size)
    # rnn_forecast = rnn_forecast[split_time - window_size:-1, -1, 0]
    # (for a model with one value per window: rnn_forecast[split_time - window_size:-1, 0])
    # result = tf.keras.metrics.mean_absolute_error(x_valid, rnn_forecast).numpy()
    # score = min(5, ceil(17 - 100 * result))
    return model


# Note that you'll need to save your model as a .h5 like this.
# When you save it, tfexam sends it to the grader (the exam's
# "Submit and Test") and shows you the score.
if __name__ == "__main__":
    model = solution_model()
    model.save("mymodel.h5")
