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
# Create a classifier for the Fashion MNIST dataset.
# Note that the test will expect it to classify 10 classes and that the
# input shape should be the native size of the Fashion MNIST dataset which
# is 28x28 monochrome. Do not resize the data. Your input layer should
# accept (28, 28) as the input shape only. If you amend this, the tests
# will fail. The last layer must be Dense(10, activation="softmax").
#
# The real starter called tf.keras.datasets.fashion_mnist.load_data().
# Here the data is fashion_mnist.npz next to this file, and load_data()
# below returns it the same way: (x_train, y_train), (x_test, y_test),
# uint8 pixels 0-255 and labels 0-9. It holds the 60,000 official training
# images: 50,000 as x_train and 10,000 as x_test for you to validate with.
# The grader uses the official 10,000 test images, which you never see.
#
# The grader divides pixel values by 255, as below, before it asks your
# model for its predictions.
# Values marked DO NOT CHANGE must stay exactly as they are.
#
import numpy as np
import tensorflow as tf

CLASS_NAMES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]  # DO NOT CHANGE: label i is CLASS_NAMES[i]


# DO NOT CHANGE THIS CODE
def load_data(path="fashion_mnist.npz"):
    with np.load(path) as data:
        return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])


def solution_model():
    (x_train, y_train), (x_test, y_test) = load_data()

    # DO NOT CHANGE THIS CODE: the grader scales its pictures the same way
    x_train = x_train / 255.0
    x_test = x_test / 255.0
    print("train:", x_train.shape, y_train.shape, "test:", x_test.shape, y_test.shape)

    # YOUR CODE HERE: this skeleton saves a gradable model, but it has not
    # learnt anything yet. Add layers, compile it and fit it on x_train and
    # y_train (x_test and y_test are there to check it).
    model = tf.keras.models.Sequential(
        [
            tf.keras.Input(shape=(28, 28)),  # DO NOT CHANGE the input shape
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(10, activation="softmax"),  # DO NOT CHANGE the output layer
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
