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
# Create and train a classifier to classify images between three
# categories of rock, paper, and scissors. Your final layer should be a
# Dense(3, activation='softmax') as shown. The test will use images that
# are 150x150 with 3 bytes color depth, so be sure to design your input
# layer to accept this, or the tests will fail.
#
# The real exam downloaded rps.zip from
# https://storage.googleapis.com/download.tensorflow.org/data/rps.zip
# and extracted it into tmp/: the tmp/rps/ folder is already here, one
# folder per class. The grader uses pictures of other hands that you
# never see.
#
# The grader divides the pixel values of its pictures by 255, exactly like
# rescale=1./255 below, and numbers the classes like flow_from_directory:
# paper 0, rock 1, scissors 2.
#
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator


def solution_model():
    TRAINING_DIR = "tmp/rps/"  # DO NOT CHANGE
    training_datagen = ImageDataGenerator(
        rescale=1.0 / 255,  # DO NOT CHANGE: the grader scales its pictures the same way
        # YOUR CODE HERE: augmentation, a validation_split...
    )

    train_generator = training_datagen.flow_from_directory(
        TRAINING_DIR,
        target_size=(150, 150),  # DO NOT CHANGE
        class_mode="categorical",
        batch_size=32,
    )

    model = tf.keras.models.Sequential(
        [
            tf.keras.Input(shape=(150, 150, 3)),  # DO NOT CHANGE the input shape
            # YOUR CODE HERE, BUT END WITH A 3 Neuron Dense, activated by softmax.
            # This skeleton saves a gradable model, but it has not learnt anything.
            tf.keras.layers.GlobalAveragePooling2D(),
            tf.keras.layers.Dense(3, activation="softmax"),
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
