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
# Basic Datasets Question
#
# Create and train a neural network that is trained on the data
# given below, so that it can predict y for a given x.
# Values marked DO NOT CHANGE must stay exactly as they are.
#
import numpy as np
import tensorflow as tf


def solution_model():
    xs = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0], dtype=float)  # DO NOT CHANGE
    ys = np.array([5.0, 6.0, 7.0, 8.0, 9.0, 10.0], dtype=float)  # DO NOT CHANGE

    # YOUR CODE HERE: this skeleton saves a gradable model, but it has not
    # learnt anything yet. Compile and fit it on xs and ys.
    model = tf.keras.Sequential(
        [
            tf.keras.Input(shape=[1]),  # DO NOT CHANGE the input shape
            tf.keras.layers.Dense(1),  # DO NOT CHANGE the output shape
        ]
    )
    model.summary()
    return model


# Note that you'll need to save your model as a .h5 like this.
# When you save it, tfexam sends it to the grader (the exam's
# "Submit and Test") and shows you the score.
if __name__ == "__main__":
    model = solution_model()
    model.save("mymodel.h5")
