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
# Computer Vision with CNNs
#
# Create and train a classifier for horses or humans using the pictures
# in the images folder next to this file: images/train/ and
# images/validation/ hold one folder per class (horses, humans) of
# 150x150 JPEG pictures, taken in front of all kinds of walls and fields.
#
# Make sure your final layer is a 1 neuron, activated by sigmoid as
# shown: it gives the probability of "humans". The classes are numbered
# in the alphabetical order of their folders, as flow_from_directory
# does with class_mode='binary': horses = 0, humans = 1.
#
# The test will use images that are 150x150 with 3 bytes color depth,
# so be sure to design your neural network accordingly. The grader
# divides the pixel values of its pictures by 255, exactly like
# rescale=1./255 below, so do not add a Rescaling layer to your model:
# it takes values between 0 and 1.
#
# It will be tested against pictures that it has not seen before, and
# you will be scored on the share of them it classifies correctly.
# The grader's pictures, like the validation pictures, vary more than
# the training pictures (horses facing either way, nearer or further
# away, off centre): augmentation helps.
#
# Values marked DO NOT CHANGE must stay exactly as they are.
#
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator

TRAINING_DIR = "images/train/"  # DO NOT CHANGE
VALIDATION_DIR = "images/validation/"  # DO NOT CHANGE
IMAGE_SIZE = (150, 150)  # DO NOT CHANGE


def solution_model():
    train_datagen = ImageDataGenerator(
        rescale=1.0 / 255,  # DO NOT CHANGE: the grader scales its pictures the same way
        # YOUR CODE HERE: other parameters can help with overfitting
    )
    validation_datagen = ImageDataGenerator(rescale=1.0 / 255)  # DO NOT CHANGE

    train_generator = train_datagen.flow_from_directory(
        TRAINING_DIR,
        target_size=IMAGE_SIZE,  # DO NOT CHANGE
        class_mode="binary",
        batch_size=32,
    )
    validation_generator = validation_datagen.flow_from_directory(
        VALIDATION_DIR,
        target_size=IMAGE_SIZE,  # DO NOT CHANGE
        class_mode="binary",
        batch_size=32,
    )

    # YOUR CODE HERE: this skeleton saves a gradable model, but it has not
    # learnt anything yet. Add layers (Conv2D, MaxPooling2D...), compile
    # it and fit it on train_generator (validation_generator is there to
    # check it).
    model = tf.keras.models.Sequential(
        [
            # Note the input shape must be (150, 150, 3). DO NOT CHANGE
            tf.keras.Input(shape=(150, 150, 3)),
            tf.keras.layers.Flatten(),
            # YOUR CODE HERE
            # This is the last layer. You should not change this code.
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.summary()
    return model

    # NOTE: If training is taking a very long time, you should consider
    # setting the batch size appropriately on the generator, and the steps
    # per epoch in the model.fit() function.


# Note that you'll need to save your model as a .h5 like this.
# When you save it, tfexam sends it to the grader (the exam's
# "Submit and Test") and shows you the score.
if __name__ == "__main__":
    model = solution_model()
    model.save("mymodel.h5")
