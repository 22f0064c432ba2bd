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
# Computer Vision with Real Data
#
# Create and train a classifier for horses or humans using the provided
# data. Make sure your final layer is a 1 neuron, activated by sigmoid
# as shown. The test will use images that are 300x300 with 3 bytes color
# depth so be sure to design your neural network accordingly.
#
# The real exam downloaded horse-or-human.zip and
# validation-horse-or-human.zip from
# https://storage.googleapis.com/download.tensorflow.org/data/ and
# extracted them into tmp/horse-or-human/ and tmp/testdata/. Those folders
# are already here: tmp/testdata/ holds 32 pictures of each class; the
# grader keeps the other 96 of each for itself.
#
# The grader divides the pixel values of its pictures by 255, exactly like
# rescale=1./255 below, and numbers the classes like flow_from_directory:
# horses 0, humans 1.
#
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator


def solution_model():
    TRAINING_DIR = "tmp/horse-or-human/"  # DO NOT CHANGE
    VALIDATION_DIR = "tmp/testdata/"  # DO NOT CHANGE

    train_datagen = ImageDataGenerator(
        rescale=1.0 / 255,  # DO NOT CHANGE: the grader scales its pictures the same way
        # Your code here. Other parameters can help with overfitting.
    )
    validation_datagen = ImageDataGenerator(rescale=1.0 / 255)  # DO NOT CHANGE

    train_generator = train_datagen.flow_from_directory(
        TRAINING_DIR,
        target_size=(300, 300),  # DO NOT CHANGE
        class_mode="binary",
        batch_size=32,
    )
    validation_generator = validation_datagen.flow_from_directory(
        VALIDATION_DIR,
        target_size=(300, 300),  # DO NOT CHANGE
        class_mode="binary",
        batch_size=32,
    )

    model = tf.keras.models.Sequential(
        [
            # Note the input shape specified on your first layer must be (300,300,3)
            tf.keras.Input(shape=(300, 300, 3)),  # DO NOT CHANGE the input shape
            # Your Code here: this skeleton saves a gradable model, but it has
            # not learnt anything yet. Add Conv2D and MaxPooling2D layers,
            # compile it and fit it on train_generator.
            tf.keras.layers.GlobalAveragePooling2D(),
            # This is the last layer. You should not change this code.
            tf.keras.layers.Dense(1, activation="sigmoid"),
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
