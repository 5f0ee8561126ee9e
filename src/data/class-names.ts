/** Class names of the standard datasets (from each dataset's own documentation). */

/** Fashion-MNIST labels 0..9 (github.com/zalandoresearch/fashion-mnist, README "Labels"). */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/** MNIST and sklearn digits: the digit itself. */
export const DIGIT_CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** CIFAR-10 labels 0..9 (batches.meta.txt of the binary version; Krizhevsky 2009). */
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
