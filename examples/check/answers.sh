#!/bin/sh
# Answer checks, one per line: "backprop check answer QUANTITY ANSWER" and the exit status
# expected (0 correct, 1 incorrect). tests/test_check_answer.py runs every line.
backprop check answer sigmoid "sigma(z)*(1 - sigma(z))"            # expect 0
backprop check answer sigmoid '\frac{e^{-z}}{(1+e^{-z})^2}'         # expect 0
backprop check answer sigmoid "a(1 - a)"                            # expect 0  (seed 002: g'(z) = a(1-a))
backprop check answer sigmoid "σ(1 - σ)"                            # expect 0  (seed 002: g'(z) = σ(1-σ))
backprop check answer tanh "sech(z)^2"                              # expect 0
backprop check answer softmax-ce '\hat{y}_i - y_i'                  # expect 0  (seed 002)
backprop check answer sigmoid-bce "y* - y"                          # expect 0  (seed 003)
backprop check answer dense:dW '\delta h^{\top}'                    # expect 0  (seed 000: dW = dz h^T)
backprop check answer dense:delta "(W^T delta) ⊗ g'(z)"            # expect 0  (seed 000: dz = dh ⊗ σ'(z))
backprop check answer softmax-ce "q_1 y_1"                          # expect 1  (seed 000, damaged: dL/dz^3_1 = q1 y1)
backprop check answer softmax-ce "y_1 - y_1"                        # expect 1  (seed 000, damaged: OCR wrote q as y)
backprop check answer softmax-ce "y - p"                            # expect 1  (sign error)
backprop check answer dense:dW "h delta^T"                          # expect 1  (transposed)
backprop check answer mse "2(yhat - y)"                             # expect 1  (factor 2: e = (y - ŷ)² of seed 001)
